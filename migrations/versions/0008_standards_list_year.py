"""standards by list year: re-evaluate computed review results

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 00:00:00

A standard governs the LISTS of a span of years, and the review of year Y identifies the lists
of Y + 1: the 2021 review falls under NĐ 07/2021 (lists of 2022), the 2026 review under the
2027–2030 standard. The stored year ranges were already list years (2016–2021, 2022–2026,
2027–2030) but were read as review years; the columns are renamed to say what they hold.

QĐ 59/2015 gets its middle living standard band (rural > 1,000,000 – 1,500,000, urban
> 1,300,000 – 1,950,000) where the admin has not set one.

Hamlets inherit urban/rural from their commune: admin_unit.is_urban becomes nullable (None =
as the unit above, the default of a new hamlet). Existing units keep the flag they have
(same effective value; nothing tells a deliberate flag from the old form's default), and the
units list shows which follow their commune.

Stored computed results are re-evaluated under the corrected choice: the reviews classified
under another standard than the one of their list year move to it (deprived indicators carried
over by code), and the QĐ 59 reviews computed "not poor" are re-read against the middle band.
Each change is audited (action "recompute"). Decisions are never touched: a decided review
whose decision now differs from the computed result (and has no reason written) shows in the
officer's list "Quyết định khác kết quả tính theo chuẩn".

Self-contained: no app import; the rule is inlined below (app.reviews.rules.classify,
rules.list_year)."""
import logging
from datetime import datetime

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

QD59_CODE = "2016-2021"
QD59_MIDDLE = {"rural": 1_500_000, "urban": 1_950_000}
POOR, NEAR_POOR, MIDDLE, NOT_POOR = "poor", "near_poor", "middle", "not_poor"
CHUNK = 500

standard_t = sa.table("poverty_standard", sa.column("id"), sa.column("code"),
                      sa.column("list_year_from"), sa.column("list_year_to"),
                      sa.column("deprivation_threshold"), sa.column("points_per_indicator"))
line_t = sa.table("standard_line", sa.column("standard_id"), sa.column("area"),
                  sa.column("poor_by_income"), sa.column("line"), sa.column("middle_line"),
                  sa.column("score_a_line"))
indicator_t = sa.table("poverty_indicator", sa.column("id"), sa.column("standard_id"),
                       sa.column("code"), sa.column("dimension_id"))
review_t = sa.table("review", sa.column("id"), sa.column("year"), sa.column("standard_id"),
                    sa.column("area"), sa.column("income_per_capita"), sa.column("score_a"),
                    sa.column("score_b"), sa.column("deprived_dimensions"),
                    sa.column("computed_status"), sa.column("decided_status"),
                    sa.column("updated_at"))
link_t = sa.table("review_deprivation", sa.column("review_id"), sa.column("indicator_id"))
audit_t = sa.table("audit_log", sa.column("at"), sa.column("user_id"), sa.column("action"),
                   sa.column("entity"), sa.column("entity_id"), sa.column("before", sa.JSON),
                   sa.column("after", sa.JSON), sa.column("ip"))
unit_t = sa.table("admin_unit", sa.column("id"), sa.column("level"), sa.column("parent_id"),
                  sa.column("is_urban"))


def list_year(review_year):
    """app.reviews.rules.list_year: the review of Y identifies the lists of Y + 1 (also an SQL
    expression when given a column)."""
    return review_year + 1


def classify(line, threshold: int, count: int, income, score_a) -> str | None:
    """app.reviews.rules.classify, the status only; None when the standard cannot classify
    what was measured (score A under a standard without a score-A line)."""
    if income is not None:
        value, by_income, main, middle = income, line["poor_by_income"], line["line"], line["middle_line"]
    elif score_a is not None and line["score_a_line"] is not None:
        value, by_income, main, middle = score_a, None, line["score_a_line"], None
    else:
        return None
    if by_income is not None and value <= by_income:
        return POOR
    if value <= main:
        return POOR if count >= threshold else NEAR_POOR
    if middle is not None and value <= middle:
        return MIDDLE
    return NOT_POOR


def upgrade():
    conn = op.get_bind()
    for old, new in (("year_from", "list_year_from"), ("year_to", "list_year_to")):
        conn.execute(sa.text(f"ALTER TABLE poverty_standard RENAME COLUMN {old} TO {new}"))
    make_area_nullable(conn)
    filled = fill_qd59_middle_band(conn)
    counts = reevaluate(conn, middle_band_of=filled)
    logging.getLogger("alembic.runtime.migration").info(
        "0008: reviews moved to the standard of their list year: %(moved)s; computed status "
        "changed: %(status_changed)s; indicators not carried over: %(indicators_dropped)s; "
        "left as they were (cannot be classified there): %(left)s", counts)


def make_area_nullable(conn):
    if conn.dialect.name == "sqlite":
        # No ALTER COLUMN in SQLite: rather than rebuild admin_unit (the table every scoped
        # row references), a nullable column replaces the old one.
        conn.execute(sa.text("ALTER TABLE admin_unit ADD COLUMN is_urban_own BOOLEAN"))
        conn.execute(sa.text("UPDATE admin_unit SET is_urban_own = is_urban"))
        conn.execute(sa.text("ALTER TABLE admin_unit DROP COLUMN is_urban"))
        conn.execute(sa.text("ALTER TABLE admin_unit RENAME COLUMN is_urban_own TO is_urban"))
    else:
        op.alter_column("admin_unit", "is_urban", existing_type=sa.Boolean(), nullable=True)


def fill_qd59_middle_band(conn) -> int | None:
    """QĐ 59/2015's middle band, where no middle line is set. Returns the standard's id when a
    line was filled (its reviews are re-read against the band), else None."""
    qd59 = conn.scalar(sa.select(standard_t.c.id).where(standard_t.c.code == QD59_CODE))
    if qd59 is None:
        return None
    filled = 0
    for area, middle in QD59_MIDDLE.items():
        filled += conn.execute(line_t.update().where(
            line_t.c.standard_id == qd59, line_t.c.area == area, line_t.c.middle_line.is_(None),
            line_t.c.line < middle).values(middle_line=middle)).rowcount
    return qd59 if filled else None


def reevaluate(conn, middle_band_of: int | None = None) -> dict[str, int]:
    """Re-evaluate the computed results of (1) the reviews classified under another standard
    than the one governing their list year, and (2) the reviews of `middle_band_of` computed
    "not poor" (its middle band was just filled). Returns counts for the log."""
    standards = {s.id: s._asdict() for s in conn.execute(sa.select(standard_t))}
    lines = {(row.standard_id, row.area): row._asdict() for row in conn.execute(sa.select(line_t))}
    by_code = {(row.standard_id, row.code): row._asdict() for row in conn.execute(sa.select(indicator_t))}
    governing = standard_t.alias("governing")
    moved = conn.execute(
        sa.select(review_t, governing.c.id.label("target"))
        .join(governing, sa.and_(governing.c.list_year_from <= list_year(review_t.c.year),
                                 governing.c.list_year_to >= list_year(review_t.c.year)))
        .where(governing.c.id != review_t.c.standard_id)).all()
    candidates = [(r._asdict(), r.target) for r in moved]
    if middle_band_of is not None:
        taken = {r["id"] for r, _ in candidates}
        candidates += [(r._asdict(), middle_band_of) for r in conn.execute(
            sa.select(review_t).where(review_t.c.standard_id == middle_band_of,
                                      review_t.c.computed_status == NOT_POOR,
                                      review_t.c.income_per_capita.is_not(None)))
            if r.id not in taken]
    counts = {"moved": 0, "status_changed": 0, "left": 0, "indicators_dropped": 0}
    for start in range(0, len(candidates), CHUNK):
        chunk = candidates[start:start + CHUNK]
        links: dict[int, list[dict]] = {}
        for row in conn.execute(
                sa.select(link_t.c.review_id, indicator_t.c.id, indicator_t.c.code,
                          indicator_t.c.dimension_id)
                .join(indicator_t, indicator_t.c.id == link_t.c.indicator_id)
                .where(link_t.c.review_id.in_([r["id"] for r, _ in chunk]))):
            links.setdefault(row.review_id, []).append(row._asdict())
        changes = [_change(review, standards[target], lines, by_code, links.get(review["id"], []),
                           counts) for review, target in chunk]
        _apply(conn, [c for c in changes if c is not None])
    return counts


def _change(review, standard, lines, by_code, deprived, counts) -> dict | None:
    """What re-evaluating `review` under `standard` changes (None: nothing, or it cannot be
    classified there and is left for the officer to save again)."""
    line = lines.get((standard["id"], review["area"]))
    kept = [by_code[(standard["id"], i["code"])] for i in deprived
            if (standard["id"], i["code"]) in by_code]
    status = classify(line, standard["deprivation_threshold"], len(kept),
                      review["income_per_capita"], review["score_a"]) if line else None
    if status is None:
        counts["left"] += 1
        return None
    after = {"standard_id": standard["id"], "computed_status": status,
             "score_b": len(kept) * standard["points_per_indicator"],
             "deprived_dimensions": len({i["dimension_id"] for i in kept})}
    before = {k: review[k] for k in after}
    if after == before:
        return None
    moving = standard["id"] != review["standard_id"]
    if moving:
        before["indicators"] = sorted(i["code"] for i in deprived)
        after["indicators"] = sorted(i["code"] for i in kept)
        counts["moved"] += 1
        counts["indicators_dropped"] += len(deprived) - len(kept)
    counts["status_changed"] += status != review["computed_status"]
    return {"id": review["id"], "before": before, "after": after,
            "links": [i["id"] for i in kept] if moving else None}


def _apply(conn, changes: list[dict]):
    """The changes of one chunk, a few statements each executed for many rows."""
    if not changes:
        return
    now = datetime.utcnow()
    conn.execute(review_t.update().where(review_t.c.id == sa.bindparam("rid")).values(
        standard_id=sa.bindparam("sid"), computed_status=sa.bindparam("status"),
        score_b=sa.bindparam("b"), deprived_dimensions=sa.bindparam("dims"), updated_at=now),
        [{"rid": c["id"], "sid": c["after"]["standard_id"], "status": c["after"]["computed_status"],
          "b": c["after"]["score_b"], "dims": c["after"]["deprived_dimensions"]} for c in changes])
    moved = [c for c in changes if c["links"] is not None]
    if moved:
        conn.execute(link_t.delete().where(link_t.c.review_id.in_([c["id"] for c in moved])))
        rows = [{"review_id": c["id"], "indicator_id": i} for c in moved for i in c["links"]]
        if rows:
            conn.execute(link_t.insert(), rows)
    conn.execute(audit_t.insert(), [
        {"at": now, "user_id": None, "action": "recompute", "entity": "review",
         "entity_id": c["id"], "before": c["before"], "after": c["after"], "ip": None}
        for c in changes])


def downgrade():
    conn = op.get_bind()
    for old, new in (("year_from", "list_year_from"), ("year_to", "list_year_to")):
        conn.execute(sa.text(f"ALTER TABLE poverty_standard RENAME COLUMN {new} TO {old}"))
    # Every unit gets its effective flag again (hamlets: their commune's; at most 4 levels).
    parent = unit_t.alias("parent")
    for _ in range(4):
        conn.execute(unit_t.update().where(unit_t.c.is_urban.is_(None)).values(
            is_urban=sa.select(parent.c.is_urban).where(parent.c.id == unit_t.c.parent_id)
            .scalar_subquery()))
    conn.execute(unit_t.update().where(unit_t.c.is_urban.is_(None)).values(is_urban=False))
    if conn.dialect.name == "sqlite":
        conn.execute(sa.text("ALTER TABLE admin_unit ADD COLUMN is_urban_old BOOLEAN NOT NULL "
                             "DEFAULT 0"))
        conn.execute(sa.text("UPDATE admin_unit SET is_urban_old = is_urban"))
        conn.execute(sa.text("ALTER TABLE admin_unit DROP COLUMN is_urban"))
        conn.execute(sa.text("ALTER TABLE admin_unit RENAME COLUMN is_urban_old TO is_urban"))
    else:
        op.alter_column("admin_unit", "is_urban", existing_type=sa.Boolean(), nullable=False)
    # The recomputed results and QĐ 59's middle band stay: they are corrections of data.
