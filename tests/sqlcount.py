"""Count the SQL statements a request runs: a SQLAlchemy event listener on the engine.

    with count_queries(db) as queries:
        client.get(url)
    assert len(queries) <= 6, queries

Transaction bookkeeping (BEGIN, SAVEPOINT, RELEASE, ROLLBACK) is not counted: the test
database turns every commit into a savepoint, which production would not run."""
import re
from contextlib import contextmanager

from sqlalchemy import event

BOOKKEEPING = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)


@contextmanager
def count_queries(db):
    """Yields the list of statements run on `db`'s engine inside the block."""
    statements = []

    def record(_conn, _cursor, statement, _params, _context, _executemany):
        if not BOOKKEEPING.match(statement):
            statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
