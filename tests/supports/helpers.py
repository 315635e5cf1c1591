"""Small builders for the supports tests (inside the test's rolled-back transaction)."""
import io
from datetime import date

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app.core.users import Role, User
from app.extensions import db
from app.households.models import Household
from app.sponsors.models import Sponsor
from app.supports import services
from app.supports.models import PlanItem
from tests.conftest import PASSWORD

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 200
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"

BASE = {"delivered_on": date(2025, 3, 10), "type_code": "livestock", "description": "2 con bê giống",
        "quantity": "2", "unit": "con", "value_vnd": 24_000_000, "funding_source_code": "fund_poor"}


def upload(data: bytes, name: str, content_type: str = "image/jpeg") -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name, content_type=content_type)


def household(world, commune="C1") -> Household:
    return db.session.get(Household, world.households[commune])


def user(world, name="commune1") -> User:
    return db.session.get(User, world.users[name])


def sponsor(world, province="P1", name="Công ty Lúa Vàng") -> Sponsor:
    row = Sponsor(name=name, name_folded=name.lower(), kind="business",
                  home_unit_id=world.units["C1"], province_id=world.units[province])
    db.session.add(row)
    db.session.flush()
    return row


def plan_item(world, commune="C1", **values) -> PlanItem:
    hh = household(world, commune)
    item = PlanItem(household_id=hh.id, need_kind="indicator", need_code="water",
                    need_label="Nguồn nước sinh hoạt", action="Hỗ trợ bể chứa nước",
                    responsible_name="Cán bộ xã", due_on=date(2025, 6, 30),
                    **{c: getattr(hh, c) for c in services.SCOPE_COLUMNS})
    for key, value in values.items():
        setattr(item, key, value)
    db.session.add(item)
    db.session.flush()
    return item


def colleague(world, commune="C1") -> User:
    """A second commune officer (four eyes: he verifies what the first one recorded)."""
    username = f"commune{commune[1]}b"
    found = db.session.scalar(select(User).where(User.username == username))
    if found is None:
        found = User(username=username, full_name=username.title(), role=Role.COMMUNE,
                     unit_id=world.units[commune])
        found.set_password(PASSWORD)
        db.session.add(found)
        db.session.flush()
    return found


def support(world, commune="C1", verified=False, by=None, **data):
    """Recorded by `by` (a user; default the commune's officer); verified=True: by a colleague
    (the recorder cannot verify his own entry)."""
    officer = user(world, "commune1" if commune == "C1" else "commune3")
    row = services.record_support(household(world, commune), {**BASE, **data}, by or officer)
    if verified:
        services.verify(row, colleague(world, commune))
    return row
