"""The household search box: which households a typed text finds, answered from an index.

What a query finds (the text is folded first: lower case, no diacritics, đ → d, see
core.text.fold) in household.search_text, the lower-case code and the folded names of the head
and of every member joined by "|":

- 3 characters or more: every household whose search text CONTAINS the query anywhere
  ("van an" finds "nguyen van anh"; "00012" finds code "HG0000123").
- 1 or 2 characters: every household where the query BEGINS A WORD: the code, or a word of a
  name (words are separated by spaces, fields by "|"). "an" finds "An", "Anh" and "Nguyễn Văn
  An" but not "Lan" or "Thanh"; "hg" finds every code starting "HG". This is a subset of the
  old "contains" answer, the part a person typing the first letters of a name expects, and
  it can be answered from the index.

The index (migration 0011) and how it is used:

- SQLite: the FTS5 table household_fts (trigram tokenizer, external content) indexes
  indexed_text(search_text): two spaces in front and after every space and every "|", so a
  word start is always preceded by exactly two spaces. indexed_text() maps the text character
  by character, so whenever the query is in the search text, indexed_text(query) (without the
  two leading spaces) is in the indexed text: the MATCH only narrows, and the exact condition
  on search_text is still applied to what it finds. The query goes into MATCH as one FTS5
  string (double quotes, inner quotes doubled): user input is never FTS5 syntax (OR, NEAR, *).
  A search over a district or a province first asks the index for at most INDEX_UPTO + 1
  households. When it finds no more than INDEX_UPTO, the list reads those rows by id
  (milliseconds, where reading the province takes a tenth of a second or more). When it finds
  more, the query is broad, most rows of the scope match, and the list reads the scope in
  its own order (the list index) and keeps the matching rows: its first page comes from the
  first rows read, and no index can make the count of a broad answer cheaper than that.
  Within a commune (a few thousand rows, read in milliseconds) the index is not asked at all.
- PostgreSQL: a pg_trgm GIN index on search_text serves the same LIKE conditions; the planner
  chooses between it and reading the scope from the column's statistics. The pattern is
  written into the statement (a quoted literal, never a bound parameter): psycopg prepares a
  statement after a few runs, and a prepared plan, made for any pattern, would read the
  trigram index for every search, even a commune's broad one (115 ms where reading the
  commune takes 6 ms at 300,000 households).
"""
import json

from sqlalchemy import String, bindparam, false, func, literal_column, or_, select, text

from app.core.text import fold
from app.extensions import db
from app.households.models import Household

PREFIX_UPTO = 2          # queries this short (in characters) search word starts
INDEX_UPTO = 2000        # more candidates than this: a broad query, read the scope instead
FTS_TABLE = "household_fts"
# Database objects made by migration 0011 that the models do not describe.
INDEX_OBJECTS = {FTS_TABLE, "household_search_source", "ix_household_search_trgm",
                 *(f"ix_household_{level}_live_name"
                   for level in ("province", "district", "commune", "hamlet"))}


def indexed_text(value: str) -> str:
    """What the SQLite index holds for a search text (the SQL twin is in migration 0011)."""
    return "  " + value.replace(" ", "  ").replace("|", "|  ")


def fts_phrase(value: str) -> str:
    """`value` as one FTS5 string: whatever it holds, it is text to find, never syntax."""
    return '"' + value.replace('"', '""') + '"'


def _escape(value: str) -> str:
    return value.replace("/", "//").replace("%", "/%").replace("_", "/_")


def conditions(query: str, inline: bool = False):
    """(exact condition on Household, FTS5 MATCH string) for a typed query; None when it
    folds to nothing (no search). `inline`: the LIKE patterns as literals in the SQL."""
    q = fold(query)
    if not q:
        return None
    st, like = Household.search_text, _escape(q)

    def pattern(value):
        return bindparam(None, value, String, literal_execute=True) if inline else value

    if len(q) <= PREFIX_UPTO:
        # A name's first word most often (after "|"), another word, the code (at the start).
        exact = or_(st.like(pattern("%|" + like + "%"), escape="/"),
                    st.like(pattern("% " + like + "%"), escape="/"),
                    st.like(pattern(like + "%"), escape="/"))
        return exact, fts_phrase(indexed_text(q))          # "  " + the word's start
    return st.like(pattern("%" + like + "%"), escape="/"), fts_phrase(indexed_text(q)[2:])


def candidates(match: str, limit: int):
    """The statement asking the SQLite index for the ids of households whose indexed text
    holds `match` (an FTS5 string), in id order, at most `limit`."""
    return (select(literal_column("rowid")).select_from(text(FTS_TABLE))
            .where(text(f"{FTS_TABLE} MATCH :fts_match").bindparams(fts_match=match))
            .limit(limit))


def search_clause(query: str, wide: bool = True, upto: int = INDEX_UPTO):
    """The WHERE condition on Household for a typed query, None when there is nothing to
    search. `wide`: the list covers more than a commune (see the module's note)."""
    sqlite = db.engine.dialect.name == "sqlite"
    found = conditions(query, inline=not sqlite)
    if found is None:
        return None
    exact, match = found
    if not wide or not sqlite:
        return exact
    ids = db.session.scalars(candidates(match, upto + 1)).all()
    if len(ids) > upto:
        return exact
    if not ids:
        return false()
    listed = func.json_each(json.dumps(ids)).table_valued("value")
    return Household.id.in_(select(listed.c.value)) & exact


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """For Alembic's comparisons (env.py, test_migrations_match_models): the search index's
    tables, view and index are made by hand in migration 0011, not by the models."""
    if reflected and compare_to is None and name and (
            name in INDEX_OBJECTS or name.startswith(FTS_TABLE + "_")):
        return False
    return True
