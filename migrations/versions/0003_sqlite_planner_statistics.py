"""sqlite: planner statistics for household and member (no schema change)

SQLite chooses among indexes from the statistics in `sqlite_stat1`, which only ANALYZE
writes, and nothing in the app runs ANALYZE. Without statistics every `x_id = ?` index looks
equally selective, so the planner picks one at random: at province scale (300,000
households) the commune list counted through `commune_id` (2,500 rows) instead of the chosen
hamlet (280 rows), a province officer's hamlet filter walked all 300,000 households in name
order, and a status filter counted through `ix_household_status` (a quarter of the table).

The figures below are those ANALYZE writes for the demo province at 300,000 households
(`python -m tests.benchmarks.bench_households`), rounded. Only their proportions matter, and
those follow from the administrative tree — one province, ~10 districts, ~2,500 households
per commune, ~280 per hamlet, ~4 members per household — not from the demo data, so they hold
for a small database too. A real `ANALYZE` replaces them with measured figures.

Keep them complete: an index of these tables without a row here gets SQLite's default
estimate (10 rows per value) and would look more selective than every index below. A
migration that adds an index to household or member should add its row too, and a batch
migration that rebuilds either table (SQLite drops a dropped table's statistics with it)
should insert the rows again.
PostgreSQL keeps its own statistics (autovacuum): nothing to do there.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 08:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

HOUSEHOLDS = 300000
MEMBERS = 1120000
STATS = {
    "household": {
        "sqlite_autoindex_household_1": "1",           # code (unique)
        "ix_household_province_id": "300000",
        "ix_household_district_id": "30000",
        "ix_household_commune_id": "2500",
        "ix_household_hamlet_id": "280",
        # (unit, deleted_at, head_name_folded): nearly nothing is deleted; names repeat.
        "ix_household_province_list": "300000 300000 30",
        "ix_household_district_list": "30000 30000 5",
        "ix_household_commune_list": "2500 2500 2",
        "ix_household_hamlet_list": "280 280 1",
        "ix_household_status": "75000",
        "ix_household_exit_year": "50000",
    },
    "member": {
        "ix_member_province_id": "1120000",
        "ix_member_district_id": "112000",
        "ix_member_commune_id": "9300",
        "ix_member_hamlet_id": "1040",
        "ix_member_household_id": "4",
        "ix_member_id_number": "1",
    },
}
TABLE_ROWS = {"household": HOUSEHOLDS, "member": MEMBERS}


def _sqlite():
    return op.get_bind().dialect.name == "sqlite"


def upgrade():
    if not _sqlite():
        return
    # Creates sqlite_stat1 when it does not exist yet; sqlite_schema has no index to analyse.
    op.execute("ANALYZE sqlite_schema")
    op.execute("DELETE FROM sqlite_stat1 WHERE tbl IN ('household', 'member')")
    for table, indexes in STATS.items():
        for index, figures in indexes.items():
            op.execute(f"INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES "
                       f"('{table}', '{index}', '{TABLE_ROWS[table]} {figures}')")
    # Connections read sqlite_stat1 when they open or after ANALYZE: reload it in this one.
    op.execute("ANALYZE sqlite_schema")


def downgrade():
    if not _sqlite():
        return
    op.execute("ANALYZE sqlite_schema")
    op.execute("DELETE FROM sqlite_stat1 WHERE tbl IN ('household', 'member')")
    op.execute("ANALYZE sqlite_schema")
