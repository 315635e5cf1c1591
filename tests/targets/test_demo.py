"""Demo targets: the province sets its districts and the commune without a district, each
district splits its own over its communes exactly, the first commune splits its target over
its hamlets, and its 6-month report is submitted (frozen)."""
from sqlalchemy import select

from app.targets import demo, queries
from app.targets.models import ReportSubmission, Target


def test_split_adds_up_by_largest_remainder():
    assert demo._split(3, {1: 4, 2: 7, 3: 1, 4: 7, 5: 6, 6: 3}) == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1, 6: 0}
    assert sum(demo._split(10, {1: 1, 2: 1, 3: 1}).values()) == 10
    assert demo._split(5, {1: 0, 2: 0}) == {1: 0, 2: 0}


def test_demo_targets_and_report(db, world, paths, unit, user):
    officers = {"province": user("province1"), "district": user("district1"), "commune": user("commune1")}
    province = unit("P1")
    demo.build(province, [unit("D1"), unit("D2")], [unit("C1"), unit("C2"), unit("C3"), unit("C4")],
               year=2025, officers=officers)
    db.session.commit()
    targets = {(t.unit_id, t.kind): t for t in db.session.scalars(select(Target).where(Target.year == 2025))}
    names = {u: world.units[u] for u in ("P1", "D1", "D2", "C1", "C2", "C3", "C4", "H1", "H1b")}
    # Province's children and the province's own; districts' communes; C1's hamlets.
    for name in ("P1", "D1", "D2", "C4", "C1", "C2", "C3"):
        assert {k for (u, k) in targets if u == names[name]} == {"poor", "near_poor", "merit_poor"}, name
    assert {k for (u, k) in targets if u == names["H1"]} == {"poor", "near_poor"}
    # Baselines after 2024: C1 poor A, F; C2 the world's household; C4 the world's household.
    assert (targets[(names["C1"], "poor")].baseline, targets[(names["D1"], "poor")].baseline) == (2, 3)
    assert targets[(names["C1"], "poor")].set_by_id == world.users["district1"]
    assert targets[(names["C3"], "poor")].set_by_id is None        # D2 has no demo officer
    assert targets[(names["D1"], "near_poor")].percent_bp == demo.NEAR_POOR_BP
    # Each split adds up to the parent.
    for parent, children in (("D1", ("C1", "C2")), ("C1", ("H1", "H1b"))):
        assert sum(targets[(names[c], "poor")].count for c in children) == \
            queries.effective_count(targets[(names[parent], "poor")])
    assert targets[(names["P1"], "poor")].count == sum(
        targets[(names[c], "poor")].count for c in ("D1", "D2", "C4"))
    report = db.session.scalars(select(ReportSubmission)).one()
    assert (report.unit_id, report.year, report.kind) == (names["C1"], 2025, "6m")
    assert report.submitted_by_id == world.users["commune1"] and report.snapshot["total"]["poor"] == 2
