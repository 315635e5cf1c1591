"""Deterministic demo province: units, accounts, households and members with real-looking
Vietnamese names. Bulk inserts (Core, explicit ids) so 300,000 households load in minutes."""
import random
from datetime import date

from sqlalchemy import func, insert, select, text

from app.core import clock
from app.core.units import COMMUNE, DISTRICT, HAMLET, PROVINCE, AdminUnit
from app.core.users import Role, User
from app.extensions import db
from app.households import derived
from app.households.models import Household, Member
from app.reviews.demo import ReviewHistories
from app.sponsors import demo as sponsor_demo
from app.supports import demo as supports_demo
from app.targets import demo as targets_demo

DEMO_PASSWORD = "demo12345"
PROVINCE_CODE = "042"  # used as the CCCD birthplace prefix of demo people

SURNAMES = [("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Phan", 4),
            ("Vũ", 4), ("Đặng", 3), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 1), ("Ngô", 1), ("Dương", 1),
            ("Lý", 1), ("Đinh", 1), ("Lò", 1), ("Hà", 1), ("Lương", 1), ("Triệu", 1)]
MIDDLE_M = ["Văn", "Văn", "Văn", "Đức", "Hữu", "Minh", "Quang", "Công", "Xuân", "Đình"]
MIDDLE_F = ["Thị", "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Kim", "Hồng", "Phương"]
GIVEN_M = ["An", "Anh", "Bình", "Cường", "Dũng", "Đạt", "Đông", "Giang", "Hải", "Hiếu", "Hòa",
           "Hùng", "Huy", "Khánh", "Kiên", "Long", "Lộc", "Mạnh", "Nam", "Nghĩa", "Phong",
           "Phúc", "Quân", "Quyết", "Sơn", "Tài", "Thắng", "Thành", "Thịnh", "Toàn", "Trung",
           "Tuấn", "Tùng", "Việt", "Vinh", "A", "Chiến", "Lực"]
GIVEN_F = ["Ánh", "Bích", "Chi", "Dung", "Duyên", "Giang", "Hà", "Hằng", "Hạnh", "Hoa", "Huệ",
           "Hương", "Lan", "Liên", "Linh", "Loan", "Mai", "Ngân", "Nga", "Nhung", "Oanh",
           "Phượng", "Quyên", "Sen", "Tâm", "Thảo", "Thủy", "Trang", "Tuyết", "Uyên", "Vân",
           "Xuân", "Yến", "Mơ", "Lụa"]
DISTRICTS = ["Huyện Đồng Xuân", "Huyện Sơn Hòa", "Huyện Tuy An", "Huyện Phú Hòa",
             "Huyện Tây Sơn", "Huyện Hoài Ân", "Thị xã Sông Cầu", "Huyện Vân Canh",
             "Huyện Đức Thọ", "Huyện Hương Khê"]
COMMUNE_STEMS = ["Xuân Lãnh", "Xuân Phước", "Đa Lộc", "Phú Mỡ", "Sơn Hội", "Sơn Long",
                 "An Ninh", "An Thạch", "Hòa Quang", "Hòa Trị", "Bình Tân", "Tây Phú",
                 "Ân Hảo", "Ân Tín", "Canh Hiệp", "Đức Lạng", "Hương Trà", "Phúc Đồng",
                 "Đại Lãnh", "Hòa Mỹ", "Cát Tiến", "Mỹ Châu", "Ea Bá", "Krông Pa"]
HAMLET_PREFIX = ["Thôn", "Thôn", "Thôn", "Xóm", "Bản", "Buôn"]
HAMLET_NAMES = ["Đông", "Tây", "Nam", "Bắc", "Trung", "Phú Sơn", "Tân Lập", "Hòa Bình",
                "Đồng Tâm", "Suối Cối", "Kỳ Lộ", "Cẩm Thạch", "Lãnh Vân", "Phước Lộc",
                "Mỹ Hòa", "An Định"]
MINORITY = ["2", "3", "4", "8", "9", "7"]  # Tày, Thái, Mường, H'Mông, Dao, Nùng (lookup codes)
MERIT = [("g", 30), ("c", 25), ("h", 10), ("l", 15), ("i", 8), ("m", 7), ("k", 3), ("d", 2)]
RELATIONS_AFTER_SPOUSE = ["child", "child", "child", "grandchild", "parent", "in_law"]


def _weighted(rng, pairs):
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def _name(rng, sex):
    middle, given = (MIDDLE_F, GIVEN_F) if sex == "F" else (MIDDLE_M, GIVEN_M)
    return f"{_weighted(rng, SURNAMES)} {rng.choice(middle)} {rng.choice(given)}"


def is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(AdminUnit))


def _unit(code, name, level, parent, is_urban=False):
    unit = AdminUnit(code=code, name=name, level=level, parent=parent, is_urban=is_urban)
    db.session.add(unit)
    db.session.flush()
    unit.rebuild_path()
    return unit


def build_units(rng, households: int):
    """Province, districts (some communes sit directly under the province, as after 7/2025),
    communes of ~2,500 households at province scale, 6–12 hamlets each."""
    province = _unit("99", "Tỉnh Bình Sơn", PROVINCE, None)
    n_communes = max(6, round(households / 2500))
    n_districts = min(len(DISTRICTS), max(2, n_communes // 8))
    districts = [_unit(f"99{d + 1:03d}", DISTRICTS[d], DISTRICT, province, is_urban=d == 6)
                 for d in range(n_districts)]
    communes, hamlets = [], []
    for c in range(n_communes):
        # Communes 0 and 1 are xa1 and xa2, in two different districts. The last commune and
        # every eleventh one sit directly under the province, as after 7/2025 (11 exceeds the
        # district count, so every district keeps communes at any scale).
        no_district = c >= 2 and (c == n_communes - 1 or c % 11 == 10)
        parent = province if no_district else districts[c % n_districts]
        stem = COMMUNE_STEMS[c % len(COMMUNE_STEMS)]
        suffix = f" {c // len(COMMUNE_STEMS) + 1}" if c >= len(COMMUNE_STEMS) else ""
        kind = "Phường" if c % 7 == 3 else "Xã"
        commune = _unit(f"{c + 1:05d}", f"{kind} {stem}{suffix}", COMMUNE, parent,
                        is_urban=kind == "Phường")
        communes.append(commune)
        for h in range(rng.randint(6, 12)):
            name = f"{rng.choice(HAMLET_PREFIX)} {HAMLET_NAMES[h % len(HAMLET_NAMES)]}"
            if kind == "Phường":
                name = f"Tổ dân phố {h + 1}"
            hamlets.append(_unit(f"{c + 1:05d}{h + 1:03d}", name, HAMLET, commune,
                                 is_urban=None))  # as its commune
    return province, districts, communes, hamlets


def build_users(province, districts, communes):
    """The demo accounts; nhataitro1 belongs to the first demo sponsor. Returns the sponsors."""
    sponsors = sponsor_demo.build_sponsors(province, districts, communes)
    accounts = [("admin", "Quản trị hệ thống", Role.ADMIN, None),
                ("xa1", "Cán bộ " + communes[0].name, Role.COMMUNE, communes[0]),
                ("xa2", "Cán bộ " + communes[1].name, Role.COMMUNE, communes[1]),
                ("huyen1", "Cán bộ " + districts[0].name, Role.DISTRICT, districts[0]),
                ("tinh1", "Cán bộ " + province.name, Role.DISTRICT, province),
                ("mttq1", "MTTQ " + communes[0].name, Role.MASS_ORG, communes[0]),
                ("nhataitro1", "Công ty TNHH Nông sản Bình Sơn", Role.SPONSOR, communes[0]),
                # Four eyes: a second commune account records deliveries, xa1/xa2 verify them.
                ("xa1b", "Công chức VH-XH " + communes[0].name, Role.COMMUNE, communes[0]),
                ("xa2b", "Công chức VH-XH " + communes[1].name, Role.COMMUNE, communes[1])]
    for username, full_name, role, unit in accounts:
        user = User(username=username, full_name=full_name, role=role,
                    unit_id=unit.id if unit else None,
                    sponsor_id=sponsors[0].id if role == Role.SPONSOR else None)
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
    return sponsors


def _cccd(rng, sex, year, seq):
    century = (year // 100 - 19) * 2 + (1 if sex == "F" else 0)
    return f"{PROVINCE_CODE}{century}{year % 100:02d}{seq % 1000000:06d}"


def _member_row(rng, mid, hid, position, name, sex, year, relation, ethnicity, hamlet_row,
                today):
    age = today.year - year
    with_day = rng.random() < 0.6
    birth = date(year, rng.randint(1, 12), rng.randint(1, 28)) if with_day else None
    work = ("child" if age < 6 else "student" if age < 18 else
            "retired" if age >= 70 else rng.choice(["employed", "self_employed",
                                                    "self_employed", "unemployed"]))
    school = (None if age < 3 else "preschool" if age < 6 else "primary" if age < 11 else
              "lower_secondary" if age < 15 else rng.choice(
                  ["upper_secondary", "lower_secondary", "primary", "none", "vocational"]))
    insured = rng.random() < 0.85
    return {
        "id": mid, "household_id": hid, "position": position, "full_name": name,
        **derived.member_fields(name, hamlet_row), "birth_date": birth, "birth_year": year, "sex": sex,
        "relationship_code": relation, "ethnicity_code": ethnicity,
        "id_number": _cccd(rng, sex, year, mid) if age >= 14 else None,
        "has_disability": rng.random() < 0.03, "disability_note": "",
        "health_insurance_number": f"{rng.randint(10**9, 10**10 - 1)}" if insured else None,
        "health_insurance_expiry": date(today.year + rng.choice([0, 1]), 12, 31) if insured else None,
        "schooling_code": school, "work_status_code": work, "merit_category": None,
        "merit_relation": None, "merit_benefit": None, "version": 1,
        "created_at": clock.utcnow(), "updated_at": clock.utcnow(), "deleted_at": None,
        "deleted_reason": None}


def build_households(rng, hamlets, count, batch=5000, progress=None):
    today = clock.today()
    next_hid = (db.session.scalar(select(func.max(Household.id))) or 0) + 1
    next_mid = (db.session.scalar(select(func.max(Member.id))) or 0) + 1
    lineages = [{f"{lv}_id": uid for lv, uid in h.lineage().items()} for h in hamlets]
    hh_rows, m_rows = [], []
    histories = ReviewHistories(rng)
    for i in range(count):
        hamlet_idx = rng.randrange(len(hamlets))
        place = lineages[hamlet_idx]
        hid = next_hid + i
        minority = rng.random() < 0.15
        ethnicity = rng.choice(MINORITY) if minority else "1"
        female_head = rng.random() < 0.22
        head_sex = "F" if female_head else "M"
        head_year = rng.randint(1940, 1998)
        names = [(_name(rng, head_sex), head_sex, head_year, "head")]
        size = rng.choices([1, 2, 3, 4, 5, 6, 7], weights=[8, 15, 20, 27, 17, 9, 4])[0]
        if size >= 2:
            sex = "M" if female_head else "F"
            names.append((_name(rng, sex), sex, head_year + rng.randint(-4, 6), "spouse"))
        for _ in range(size - len(names)):
            sex = rng.choice("MF")
            relation = rng.choice(RELATIONS_AFTER_SPOUSE)
            year = (head_year - rng.randint(20, 30) if relation == "parent"
                    else min(today.year - 1, head_year + rng.randint(18, 35)))
            if relation == "parent" and year < 1925:
                relation, year = "child", min(today.year - 1, head_year + 20)
            names.append((_name(rng, sex), sex, year, relation))
        merit_at = rng.randrange(len(names)) if rng.random() < 0.03 else None
        first = len(m_rows)
        for pos, (name, sex, year, relation) in enumerate(names):
            row = _member_row(rng, next_mid, hid, pos, name, sex, year, relation, ethnicity,
                              place, today)
            if pos == merit_at:
                row["merit_category"] = _weighted(rng, MERIT)
                row["merit_relation"] = "relative" if row["merit_category"] in ("c", "d") else \
                    rng.choice(["self", "relative"])
                row["merit_benefit"] = rng.choice(["monthly", "monthly", "one_time", "pension"])
            m_rows.append(row)
            next_mid += 1
        head_name = names[0][0]
        code = f"HG{hid:07d}"
        no_labour = size == 1 and head_year < 1955 or rng.random() < 0.01
        standing = histories.household(hid, place, hamlets[hamlet_idx].urban, not no_labour)
        hh_rows.append({
            "id": hid, "code": code, "address": f"{hamlets[hamlet_idx].name}",
            "head_name": head_name, **derived.household_fields(
                code, head_name, [(m["full_name"], m["merit_category"]) for m in m_rows[first:]]),
            **standing, "is_ethnic_minority": minority, "is_female_headed": female_head,
            "has_no_labour_capacity": no_labour,
            "policy_group": ("social_protection" if no_labour else "poverty_policy")
            if standing["status"] in ("poor", "near_poor") else None,
            "note": "", "version": 1, "created_at": clock.utcnow(),
            "updated_at": clock.utcnow(), "deleted_at": None, "deleted_reason": None,
            **place})
        if len(hh_rows) >= batch:
            _flush(hh_rows, m_rows)
            histories.flush()
            if progress:
                progress(i + 1, count)
    _flush(hh_rows, m_rows)
    histories.flush()
    _sync_sequences()


def _flush(hh_rows, m_rows):
    if hh_rows:
        db.session.execute(insert(Household), hh_rows)
    if m_rows:
        db.session.execute(insert(Member), m_rows)
    hh_rows.clear()
    m_rows.clear()


def _sync_sequences():
    """Explicit ids leave PostgreSQL's serial sequences behind; move them past the data."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in ("household", "member", "admin_unit", "user_account", "review"):
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"))


def load(households: int = 3000, seed: int = 2026, progress=None):
    rng = random.Random(seed)
    province, districts, communes, hamlets = build_units(rng, households)
    sponsors = build_users(province, districts, communes)
    db.session.flush()
    build_households(rng, hamlets, households, progress=progress)
    targets_demo.build(province, districts, communes)
    sponsor_demo.build_assignments(rng, sponsors, communes)
    supports_demo.build(rng, communes[0].id)
    from app.funds import demo as funds_demo
    funds_demo.build(province, communes, seed)
    db.session.commit()
    return {"units": 1 + len(districts) + len(communes) + len(hamlets), "communes": len(communes),
            "households": households}

