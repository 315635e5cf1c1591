"""search index: households found by any part of a name without reading every row; on
PostgreSQL, list indexes that give the list's order

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-09 09:00:00

household.search_text (lower-case code and folded names joined by "|") gets an index that serves
a substring search (app/households/search.py):

- SQLite: an FTS5 table with the trigram tokenizer, external content (it stores no text of its
  own), kept in step by triggers. It indexes the search text with every space and "|" followed
  by two spaces and two spaces in front, so that the start of every word is preceded by exactly
  two spaces: a one- or two-letter word-start search is then a phrase of three or more
  characters, which the trigram index can answer. The view household_search_source gives the
  same text to FTS5's 'rebuild' and 'integrity-check' commands.
- PostgreSQL: the pg_trgm extension and a GIN (gin_trgm_ops) index on search_text, which serves
  LIKE '%…%' directly. And per scope level an index of the households not deleted in the
  list's order, (unit, head_name_folded, id) WHERE deleted_at IS NULL: PostgreSQL cannot read
  the list indexes of 0001 (unit, deleted_at, head_name_folded) in name order ("deleted_at IS
  NULL" does not fix deleted_at for its planner), so a province's first page sorted every
  matching row (a broad search at 300,000 households: 267 ms; with this index 0.1 ms).

A later SQLite migration that rebuilds the household table (batch_alter_table) must drop the
triggers, the FTS table and the view first and make them again after (downgrade() then
upgrade() of this file's statements): a rebuilt table loses its triggers, and SQLite refuses
to rename a table while a view names a table that is gone.
"""
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

# Keep in step with app/households/search.py (indexed_text / the trigger bodies below).
INDEXED = "'  ' || replace(replace({0}, ' ', '  '), '|', '|  ')"
LEVELS = ('province', 'district', 'commune', 'hamlet')


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        op.execute('CREATE INDEX ix_household_search_trgm ON household '
                   'USING gin (search_text gin_trgm_ops)')
        for level in LEVELS:
            op.execute(f'CREATE INDEX ix_household_{level}_live_name ON household '
                       f'({level}_id, head_name_folded, id) WHERE deleted_at IS NULL')
        return
    op.execute('CREATE VIEW household_search_source AS SELECT id, '
               f'{INDEXED.format("search_text")} AS search_text FROM household')
    op.execute("CREATE VIRTUAL TABLE household_fts USING fts5(search_text, tokenize='trigram', "
               "content='household_search_source', content_rowid='id')")
    old, new = INDEXED.format('old.search_text'), INDEXED.format('new.search_text')
    op.execute('CREATE TRIGGER household_fts_insert AFTER INSERT ON household BEGIN '
               f'INSERT INTO household_fts(rowid, search_text) VALUES (new.id, {new}); END')
    op.execute('CREATE TRIGGER household_fts_delete AFTER DELETE ON household BEGIN '
               "INSERT INTO household_fts(household_fts, rowid, search_text) "
               f"VALUES ('delete', old.id, {old}); END")
    op.execute('CREATE TRIGGER household_fts_update AFTER UPDATE OF id, search_text ON household '
               'BEGIN '
               "INSERT INTO household_fts(household_fts, rowid, search_text) "
               f"VALUES ('delete', old.id, {old}); "
               f'INSERT INTO household_fts(rowid, search_text) VALUES (new.id, {new}); END')
    op.execute("INSERT INTO household_fts(household_fts) VALUES ('rebuild')")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_household_search_trgm')
        for level in LEVELS:
            op.execute(f'DROP INDEX IF EXISTS ix_household_{level}_live_name')
        # The extension stays: other databases objects may use it, and it holds no data.
        return
    for trigger in ('insert', 'delete', 'update'):
        op.execute(f'DROP TRIGGER IF EXISTS household_fts_{trigger}')
    op.execute('DROP TABLE IF EXISTS household_fts')
    op.execute('DROP VIEW IF EXISTS household_search_source')
