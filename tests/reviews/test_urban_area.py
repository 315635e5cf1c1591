"""Urban or rural follows the commune (phường, thị trấn urban; xã rural): a hamlet inherits it
unless its own flag says otherwise, and the rule reads that effective value."""
from sqlalchemy import select

from app.core.units import COMMUNE, DISTRICT, HAMLET, AdminUnit
from app.households import services as household_services
from app.reviews import services
from tests.conftest import page_text


def unit(db, world, key) -> AdminUnit:
    return db.session.get(AdminUnit, world.units[key])


def new_hamlet(admin, code, parent_id, **extra):
    return admin.form("/admin/units/new", {"code": code, "name": f"Tổ {code}", "level": "hamlet",
                                           "parent_id": parent_id, "is_active": "y", **extra})


def test_new_hamlet_of_a_phuong_is_urban_by_default(login_as, db, world):
    admin = login_as("admin")
    assert new_hamlet(admin, "0010491", world.units["C4"]).status_code == 303
    assert new_hamlet(admin, "0010492", world.units["C4"], is_urban="rural").status_code == 303
    assert new_hamlet(admin, "0010193", world.units["C1"]).status_code == 303
    inherited, rural, of_xa = (db.session.scalar(select(AdminUnit).where(AdminUnit.code == code))
                               for code in ("0010491", "0010492", "0010193"))
    assert (inherited.is_urban, inherited.urban) == (None, True)
    assert (rural.is_urban, rural.urban) == (False, False)
    assert (of_xa.is_urban, of_xa.urban) == (None, False)
    listing = page_text(admin.get(f"/admin/units?parent={world.units['C4']}"))
    assert "Thành thị (theo cấp trên)" in listing and "Nông thôn" in listing


def test_editing_keeps_or_sets_the_flag(login_as, db, world):
    admin = login_as("admin")
    hamlet = unit(db, world, "H1b")
    page = admin.get(f"/admin/units/{hamlet.id}/edit").get_data(as_text=True)
    assert '<option selected value="rural">' in page   # the world's hamlets are flagged rural
    response = admin.form(f"/admin/units/{hamlet.id}/edit", {
        "code": hamlet.code, "name": hamlet.name, "level": "hamlet",
        "parent_id": world.units["C1"], "is_urban": "", "is_active": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    assert unit(db, world, "H1b").is_urban is None


def test_commune_change_reaches_inheriting_hamlets(db, world):
    commune, hamlet = unit(db, world, "C1"), unit(db, world, "H1b")
    hamlet.is_urban = None
    assert not hamlet.urban
    commune.is_urban = True       # the xã becomes a phường
    assert hamlet.urban
    commune.is_urban = None       # nothing set up to the province: rural
    assert not hamlet.urban


def test_rule_uses_the_inherited_area(login_as, db, world):
    """A household of an inheriting hamlet of a phường is classified against the urban line."""
    phuong = unit(db, world, "C4")
    hamlet = AdminUnit(code="0010409", name="Tổ dân phố 9", level=HAMLET, parent=phuong)
    db.session.add(hamlet)
    db.session.flush()
    hamlet.rebuild_path()
    household = household_services.create_household(
        {"code": "HH-TDP9", "head_name": "Đỗ Văn Phố", "address": "Số 2"}, hamlet,
        head={"birth_year": 1980, "sex": "M"})
    db.session.flush()
    assert services.area_of(household) == "urban"
    standard, result = services.preview(household, 2024, ["water", "latrine", "employment"],
                                        income=1_800_000)
    assert result.status == "poor"             # 1,800,000 ≤ urban line 2,000,000
    assert services.area_of(db.session.get(type(household), world.households["C1"])) == "rural"


def test_levels_without_flag_follow_the_nearest_flag(db, world):
    district = AdminUnit(code="01009", name="Quận Chín", level=DISTRICT,
                         parent=unit(db, world, "P1"), is_urban=True)
    commune = AdminUnit(code="0100901", name="Phường Một", level=COMMUNE, parent=district)
    hamlet = AdminUnit(code="010090101", name="Tổ 1", level=HAMLET, parent=commune)
    assert commune.urban and hamlet.urban
