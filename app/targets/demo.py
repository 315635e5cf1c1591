"""Demo targets and a submitted report, deterministic: the province gives its districts (and the
communes without a district) their targets for the demo year, each district splits its own
over its communes, xa1's commune splits its target over its hamlets; xa1's commune has
submitted its 6-month report. Baselines come from the demo's decided reviews."""
from datetime import datetime

from sqlalchemy import select

from app.core.users import User
from app.extensions import db
from app.reviews.demo import LAST_YEAR
from app.targets import periodic, queries
from app.targets.models import Target
from app.targets.services import ancestry

YEAR = LAST_YEAR                    # the round under way: targets set on last year's list
POOR_SHARE_BP = 1000                # the province asks each district for 10 % of its poor
NEAR_POOR_BP = 800                  # near-poor: 8,00 % of the baseline, as a percentage
MERIT_BP = 4000                     # seed 000: reduce poor người có công households by 40 %


def _split(total: int, weights: dict[int, int]) -> dict[int, int]:
    """`total` over the keys in proportion to `weights`, largest remainder first (ties by key):
    the parts add up to `total` exactly."""
    whole = sum(weights.values())
    if not whole:
        return {k: 0 for k in weights}
    parts = {k: total * w // whole for k, w in weights.items()}
    rest = total - sum(parts.values())
    for k in sorted(weights, key=lambda k: (-(total * weights[k] % whole), k))[:rest]:
        parts[k] += 1
    return parts


def _target(unit, year, kind, baseline, setter, count=None, percent_bp=None, note=""):
    db.session.add(Target(year=year, kind=kind, count=count, percent_bp=percent_bp,
                          baseline=baseline, note=note, set_by_id=setter.id if setter else None,
                          **ancestry(unit)))


def _set_children(parent, children, year, reader, setter, poor_counts, note):
    """Targets of `children` (set by `setter`, the officer of `parent`, when the demo has one):
    poor households as the given counts, near-poor and merit-poor as percentages of their
    baselines. `reader`: whose scope the baselines are counted in."""
    base = queries.standing_counts(parent, year - 1, reader)
    for child in children:
        b = base.get(child.id, {"poor": 0, "near_poor": 0, "merit_poor": 0})
        _target(child, year, "poor", b["poor"], setter, count=poor_counts[child.id], note=note)
        _target(child, year, "near_poor", b["near_poor"], setter, percent_bp=NEAR_POOR_BP, note=note)
        _target(child, year, "merit_poor", b["merit_poor"], setter, percent_bp=MERIT_BP, note=note)


def build(province, districts, communes, year: int = YEAR, officers: dict | None = None):
    """`officers`: {"province": tinh1, "district": huyen1, "commune": xa1} (the demo accounts
    by default); huyen1 sets its district's communes, the province officer the other
    districts' (recorded without a setter)."""
    if officers is None:
        by_name = {u.username: u for u in db.session.scalars(
            select(User).where(User.username.in_(("tinh1", "huyen1", "xa1"))))}
        officers = {"province": by_name.get("tinh1"), "district": by_name.get("huyen1"),
                    "commune": by_name.get("xa1")}
    chief, district_officer, xa1 = officers.get("province"), officers.get("district"), officers.get("commune")
    if chief is None:
        return
    # Province → its districts and the communes without a district: 10 % of each one's poor.
    top = queries.child_units(province)
    base = queries.standing_counts(province, year - 1, chief)
    poor = {u.id: (base.get(u.id, {}).get("poor", 0) * POOR_SHARE_BP + 5000) // 10000 for u in top}
    _set_children(province, top, year, chief, chief, poor, f"Kế hoạch giảm nghèo năm {year} của tỉnh")
    total = queries.unit_totals(base)
    _target(province, year, "poor", total["poor"], chief, count=sum(poor.values()),
            note="Chỉ tiêu được giao")
    _target(province, year, "near_poor", total["near_poor"], chief, percent_bp=NEAR_POOR_BP)
    _target(province, year, "merit_poor", total["merit_poor"], chief, percent_bp=MERIT_BP)
    # Each district splits its target over its communes in proportion to their poor.
    for district in districts:
        setter = district_officer if district_officer and district_officer.unit_id == district.id else None
        children = queries.child_units(district)
        weights = queries.standing_counts(district, year - 1, chief)
        split = _split(poor[district.id], {c.id: weights.get(c.id, {}).get("poor", 0) for c in children})
        _set_children(district, children, year, chief, setter, split,
                      f"Phân bổ chỉ tiêu năm {year} của {district.name}")
    db.session.flush()
    # xa1's commune splits its poor and near-poor targets over its hamlets (no merit split).
    commune = communes[0]
    if xa1 is not None and xa1.unit_id == commune.id:
        own = queries.targets_of([commune.id], year, xa1)
        hamlets = queries.child_units(commune)
        weights = queries.standing_counts(commune, year - 1, xa1)
        for kind in ("poor", "near_poor"):
            goal = queries.effective_count(own.get((commune.id, kind))) or 0
            split = _split(goal, {h.id: weights.get(h.id, {}).get(kind, 0) for h in hamlets})
            for hamlet in hamlets:
                _target(hamlet, year, kind, weights.get(hamlet.id, {}).get(kind, 0), xa1,
                        count=split[hamlet.id], note="Phân bổ theo số hộ của thôn")
        db.session.flush()
        periodic.submit(commune, year, "6m", xa1, note="Báo cáo 6 tháng đầu năm",
                        now=datetime(year, 6, 15, 9, 30))
    db.session.flush()
