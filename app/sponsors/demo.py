"""Demo sponsors of the province and their assignments (deterministic: fixed list, rng passed in).

nhataitro1 belongs to the first sponsor, which adopts five poor or near-poor households of
xa1's commune (communes[0]) and has one ended assignment there, so the portal, the case-file
panel and the history all have something to show."""
from datetime import date, timedelta

from sqlalchemy import select

from app.core import clock
from app.core.text import fold
from app.extensions import db
from app.households.models import Household
from app.sponsors.models import Assignment, Sponsor

COMMITMENTS = ["200.000đ/tháng và giống lúa", "Hỗ trợ 2 con bê giống",
               "Học bổng 500.000đ/tháng cho cháu đang đi học", "Sửa nhà, 20.000.000đ",
               "Cây giống keo và phân bón cho 1 ha", "Gạo 20 kg/tháng và quà Tết",
               "Vốn mua máy xay xát, 15.000.000đ", "Ngày công sửa nhà tiêu hợp vệ sinh"]
END_REASONS = ["Hộ đã thoát nghèo", "Doanh nghiệp chuyển địa bàn", "Hết thời hạn cam kết"]
SCOPE = ("province_id", "district_id", "commune_id", "hamlet_id")


def build_sponsors(province, districts, communes) -> list[Sponsor]:
    """Four sponsors of different kinds. The first is nhataitro1's."""
    rows = [
        ("Công ty TNHH Nông sản Bình Sơn", "business", "Nguyễn Thị Hạnh", "0905 123 456",
         "lienhe@nongsanbinhson.vn", "Cụm công nghiệp " + communes[0].name, communes[0]),
        ("Sở Nông nghiệp và Môi trường " + province.name.removeprefix("Tỉnh "), "agency",
         "Phòng Phát triển nông thôn", "0256 3822 111", "", "Trung tâm hành chính tỉnh", province),
        ("Hội Liên hiệp Phụ nữ " + communes[0].name, "mass_org", "Lê Thị Mai", "0912 345 678",
         "", "Trụ sở UBND " + communes[0].name, communes[0]),
        ("Ông Trần Văn Phúc", "individual", "Trần Văn Phúc", "+84 983 222 111", "", "",
         districts[0]),
    ]
    sponsors = []
    for name, kind, contact, phone, email, address, home in rows:
        sponsor = Sponsor(name=name, name_folded=fold(name), kind=kind, contact_person=contact,
                          phone=phone, email=email, address=address, home_unit_id=home.id,
                          province_id=province.id)
        db.session.add(sponsor)
        sponsors.append(sponsor)
    db.session.flush()
    return sponsors


def _households(commune, count, rng, exclude=()):
    """`count` households of the commune, poor or near-poor first, chosen by the rng."""
    rows = db.session.execute(select(Household.id, Household.status).where(
        Household.commune_id == commune.id, Household.deleted_at.is_(None))
        .order_by(Household.id)).all()
    needy = [hid for hid, status in rows if status in ("poor", "near_poor") and hid not in exclude]
    others = [hid for hid, status in rows if status not in ("poor", "near_poor")
              and hid not in exclude]
    picked = rng.sample(needy, min(count, len(needy)))
    return picked + rng.sample(others, min(count - len(picked), len(others)))


def build_assignments(rng, sponsors, communes, today: date | None = None):
    today = today or clock.today()
    households = {h.id: h for h in db.session.scalars(select(Household).where(
        Household.commune_id.in_([communes[0].id, communes[1].id])))}

    def assign(sponsor, hid, starts_on, ends_on=None):
        db.session.add(Assignment(
            sponsor_id=sponsor.id, household_id=hid, starts_on=starts_on, ends_on=ends_on,
            commitment=rng.choice(COMMITMENTS),
            end_reason=rng.choice(END_REASONS) if ends_on else None,
            **{c: getattr(households[hid], c) for c in SCOPE}))

    own, agency, women, person = sponsors
    used = set()
    # nhataitro1's sponsor: five active households in xa1's commune, one ended.
    chosen = _households(communes[0], 6, rng)
    for hid in chosen[:5]:
        assign(own, hid, today - timedelta(days=rng.randint(60, 700)))
    assign(own, chosen[5], today - timedelta(days=rng.randint(800, 1200)),
           today - timedelta(days=rng.randint(30, 300)))
    used.update(chosen)
    # The others: a few households each, in xa1's and xa2's communes.
    for sponsor, commune, count in ((agency, communes[1], 3), (women, communes[0], 3),
                                    (person, communes[0], 2)):
        for hid in _households(commune, count, rng, exclude=used):
            assign(sponsor, hid, today - timedelta(days=rng.randint(30, 900)))
            used.add(hid)
    db.session.flush()
