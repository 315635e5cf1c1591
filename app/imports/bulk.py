"""Bulk SQL for the import: chunked IN lists, ids reserved ahead, INSERT by DBAPI executemany,
UPDATE grouped by the columns each row sets."""
from collections import defaultdict
from operator import itemgetter

from sqlalchemy import bindparam, func, insert, select, text, update

from app.extensions import db

CHUNK = 500      # ids in one IN (…): under every database's parameter limit
BATCH = 2000


def chunks(items, size=CHUNK):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i:i + size]


def insert_many(table, rows: list[dict]):
    """INSERT rows (dicts with the same keys) by DBAPI executemany. Values go through each
    column type's bind processor as SQLAlchemy applies them (remembered per value: most rows
    share their timestamps and flags); what is skipped is SQLAlchemy's per-row parameter
    bookkeeping, which costs more than SQLite's insert itself. The rows are changed in place."""
    if not rows:
        return
    conn = db.session.connection()
    dialect = conn.dialect
    keys = list(rows[0])
    compiled = insert(table).compile(dialect=dialect, column_keys=keys)
    for key in keys:
        process = table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            _process_column(rows, key, process)
    if compiled.positional:
        getter = itemgetter(*compiled.positiontup)
        params = [getter(row) for row in rows] if len(keys) > 1 else [(getter(row),) for row in rows]
    else:
        params = rows
    for piece in chunks(params, 5000):
        conn.exec_driver_sql(compiled.string, piece)


def _process_column(rows, key, process):
    memo = {}
    for row in rows:
        value = row[key]
        try:
            row[key] = memo[value]
        except KeyError:
            row[key] = memo[value] = process(value)
        except TypeError:      # unhashable (JSON)
            row[key] = process(value)


def reserve_ids(table, n: int) -> list[int]:
    """Ids for `n` new rows, so they go in with one executemany (SQLite returns the ids of a
    multi-row INSERT … RETURNING only row by row). PostgreSQL: taken from the table's sequence,
    safe beside concurrent inserts; SQLite: after the highest, under the write lock this
    transaction holds."""
    if not n:
        return []
    if db.session.get_bind().dialect.name == "postgresql":
        return list(db.session.scalars(text(
            f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) "
            "FROM generate_series(1, :n)"), {"n": n}))
    start = db.session.scalar(select(func.max(table.c.id))) or 0
    return list(range(start + 1, start + n + 1))


def update_many(table, rows, bump=False):
    """UPDATE … WHERE id = :id for each row, grouped by the columns a row sets; `bump` adds
    version = version + 1."""
    groups = defaultdict(list)
    for row in rows:
        groups[tuple(sorted(k for k in row if k != "id"))].append(row)
    for keys, items in groups.items():
        if not keys:
            continue
        values = {k: bindparam("v_" + k) for k in keys}
        if bump:
            values["version"] = table.c.version + 1
        stmt = update(table).where(table.c.id == bindparam("v__id")).values(values)
        for piece in chunks(items, BATCH):
            db.session.execute(stmt, [{"v__id": r["id"], **{"v_" + k: r[k] for k in keys}}
                                      for r in piece])
