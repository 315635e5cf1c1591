"""Targets through HTTP: set by the level above only, the baseline stored with them, Vietnamese
validation, the version check, the audit trail, and the consistency of children's targets with
the parent's (đủ / thiếu / vượt with the difference)."""
import re

import pytest
from sqlalchemy import func, select

from app.core.audit import AuditLog
from app.targets import services
from app.targets.forms import parse_percent
from app.targets.models import Target
from tests.conftest import page_text


def form(poor="", near="", merit="", mode="count", versions=(0, 0, 0), note="", **extra):
    data = {"poor_mode": mode, "poor_value": poor, "poor_version": versions[0],
            "near_poor_mode": mode, "near_poor_value": near, "near_poor_version": versions[1],
            "merit_poor_mode": mode, "merit_poor_value": merit, "merit_poor_version": versions[2],
            "note": note}
    data.update(extra)
    return data


def edit_url(world, unit, year=2024):
    return f"/targets/{world.units[unit]}/{year}/edit"


def targets(db, world, unit, year=2024):
    db.session.expire_all()
    return {t.kind: t for t in db.session.scalars(select(Target).where(
        Target.unit_id == world.units[unit], Target.year == year))}


def count_targets(db):
    return db.session.scalar(select(func.count()).select_from(Target))


def test_district_sets_a_commune_target_with_its_baseline(login_as, world, db, paths):
    client = login_as("district1")
    response = client.get(edit_url(world, "C1"))
    assert response.status_code == 200 and 'name="poor_value"' in response.get_data(as_text=True)
    response = client.form(edit_url(world, "C1"), form(poor="2", near="1", merit="1", note="Theo KH 12"),
                           htmx=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="targets-table">')
    row = re.search(rf'<tr id="target-{world.units["C1"]}">(.*?)</tr>', html, re.S).group(1)
    assert 'data-kind="poor" data-baseline="4"' in row and 'data-target="2"' in row
    saved = targets(db, world, "C1")
    assert (saved["poor"].count, saved["poor"].baseline) == (2, 4)
    assert (saved["near_poor"].baseline, saved["merit_poor"].baseline) == (1, 1)
    # The ancestry columns make the target scoped like a household.
    t = saved["poor"]
    assert (t.province_id, t.district_id, t.commune_id, t.hamlet_id) == (
        world.units["P1"], world.units["D1"], world.units["C1"], None)
    assert t.set_by_id == world.users["district1"] and t.note == "Theo KH 12"
    audit = db.session.scalars(select(AuditLog).where(AuditLog.entity == "target",
                                                      AuditLog.entity_id == t.id)).all()
    assert [a.action for a in audit] == ["create"] and audit[0].after["count"] == 2


def test_plain_post_redirects_to_the_table(login_as, world, db, paths):
    client = login_as("district1")
    response = client.form(edit_url(world, "C2"), form(poor="1"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/targets/?unit={world.units['D1']}&year=2024")
    assert targets(db, world, "C2")["poor"].count == 1


def test_commune_officer_cannot_set_its_own_commune_target(login_as, world, db, paths):
    client = login_as("commune1")
    before = count_targets(db)
    assert client.get(edit_url(world, "C1")).status_code == 404
    assert client.form(edit_url(world, "C1"), form(poor="1")).status_code == 404
    # … but splits it over its hamlets.
    assert client.form(edit_url(world, "H1"), form(poor="1")).status_code == 303
    assert count_targets(db) == before + 1
    hamlet_target = targets(db, world, "H1")["poor"]
    assert (hamlet_target.commune_id, hamlet_target.hamlet_id, hamlet_target.baseline) == (
        world.units["C1"], world.units["H1"], 3)


@pytest.mark.parametrize("username, unit, allowed", [
    ("district1", "C1", True), ("district1", "C2", True),
    ("district1", "C3", False),   # another district's commune
    ("district1", "C4", False),   # a commune without district: the province sets it
    ("district1", "D1", False),   # its own district: set by the province
    ("district1", "H1", False),   # a hamlet: set by its commune
    ("district1", "C5", False),   # another province
    ("province1", "D1", True), ("province1", "D2", True), ("province1", "C4", True),
    ("province1", "P1", True),    # the province records the target it was given
    ("province1", "C1", False),   # a commune inside a district: the district sets it
    ("commune1", "H1b", True), ("commune1", "H3", False), ("commune3", "H1", False),
])
def test_only_the_level_above_sets_targets(username, unit, allowed, login_as, world, db, paths):
    client = login_as(username)
    before = count_targets(db)
    response = client.form(edit_url(world, unit), form(merit="0"))
    if allowed:
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        assert count_targets(db) == before + 1
    else:
        assert response.status_code == 404
        assert client.get(edit_url(world, unit)).status_code == 404
        assert count_targets(db) == before


def test_readers_cannot_set_targets(login_as, world, db, paths):
    client = login_as("massorg1")
    assert client.form(edit_url(world, "H1"), form(poor="1")).status_code == 403
    assert client.get("/targets/").status_code == 200


@pytest.mark.parametrize("data, field, message", [
    (form(poor="-1"), "poor_value", "Chỉ tiêu không được âm."),
    (form(near="101", mode="percent"), "near_poor_value", "Tỷ lệ không được vượt quá 100 %."),
    (form(poor="1,555", mode="percent"), "poor_value", "Tỷ lệ chỉ ghi tối đa 2 chữ số thập phân."),
    (form(poor="abc"), "poor_value", "Số hộ phải là số nguyên"),
    (form(poor="2,5"), "poor_value", "Số hộ phải là số nguyên"),
    (form(poor="5"), "poor_value", "Số hộ phấn đấu giảm (5) vượt số hộ đầu năm (4)."),
])
def test_bad_input_is_refused_in_vietnamese(data, field, message, login_as, world, db, paths):
    client = login_as("district1")
    before = count_targets(db)
    response = client.form(edit_url(world, "C1"), data, htmx=True)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="{field}"', html)
    assert count_targets(db) == before


def test_year_without_data_is_refused(login_as, world, db, paths):
    client = login_as("district1")
    response = client.form(edit_url(world, "C1", 2031), form(poor="1"), htmx=True)
    assert response.status_code == 422
    assert "Năm 2031 chưa có dữ liệu" in page_text(response)
    assert count_targets(db) == 0


def test_percent_target_stored_in_basis_points_and_shown_with_a_comma(login_as, world, db, paths):
    client = login_as("district1")
    response = client.form(edit_url(world, "C1"), form(poor="37,5", mode="percent"), htmx=True)
    assert response.status_code == 200
    t = targets(db, world, "C1")["poor"]
    assert (t.count, t.percent_bp, t.baseline) == (None, 3750, 4)
    text = page_text(response)
    assert "37,50 %" in text and "(≈ 2 hộ)" in text     # 4 × 37,5 % = 1,5 → 2 (half up)
    # The edit form shows it back as typed.
    html = client.get(edit_url(world, "C1")).get_data(as_text=True)
    assert 'value="37,50"' in html


def test_parse_percent_and_format():
    assert parse_percent("1,5") == 150 and parse_percent("1.50 %") == 150
    assert parse_percent("100") == 10000 and parse_percent("-2") == -200
    assert services.format_bp(150) == "1,50 %" and services.format_bp(12345) == "123,45 %"


def test_stale_edit_is_a_409_and_keeps_the_saved_value(login_as, world, db, paths):
    client = login_as("district1")
    assert client.form(edit_url(world, "C1"), form(poor="1")).status_code == 303
    version = targets(db, world, "C1")["poor"].version
    # Someone else's form, loaded before that save, still says "no target" (version 0).
    response = client.form(edit_url(world, "C1"), form(poor="3"), htmx=True)
    assert response.status_code == 409
    text = page_text(response)
    assert "Hồ sơ vừa được người khác cập nhật" in text and "Giảm hộ nghèo: 1" in text
    assert targets(db, world, "C1")["poor"].count == 1
    # The 409 form carries the current version: saving again overwrites knowingly.
    html = response.get_data(as_text=True)
    assert f'name="poor_version" type="hidden" value="{version}"' in html
    response = client.form(edit_url(world, "C1"), form(poor="3", versions=(version, 0, 0)),
                           htmx=True)
    assert response.status_code == 200
    updated = targets(db, world, "C1")["poor"]
    assert (updated.count, updated.version) == (3, version + 1)
    actions = db.session.scalars(select(AuditLog.action).where(
        AuditLog.entity == "target", AuditLog.entity_id == updated.id)).all()
    assert actions == ["create", "update"]


def test_blank_value_removes_a_target(login_as, world, db, paths):
    client = login_as("district1")
    client.form(edit_url(world, "C1"), form(poor="1", near="1"))
    saved = targets(db, world, "C1")
    response = client.form(edit_url(world, "C1"), form(
        poor="1", near="", versions=(saved["poor"].version, saved["near_poor"].version, 0)))
    assert response.status_code == 303
    assert set(targets(db, world, "C1")) == {"poor"}


def consistency_cells(html):
    """{kind: (state, sum, difference)} from the consistency table."""
    section = re.search(r'<section class="card" id="consistency">(.*?)</section>', html, re.S).group(1)
    found = {}
    for kind, state, body in re.findall(r'<tr data-kind="(\w+)" data-state="(\w+)">(.*?)</tr>', section, re.S):
        total = int(re.search(r'data-sum="(-?\d+)"', body).group(1))
        difference = int(re.search(r'data-difference="(-?\d+)"', body).group(1))
        found[kind] = (state, total, difference)
    return found


def test_consistency_of_communes_against_the_district(login_as, world, db, paths):
    province = login_as("province1")
    assert province.form(edit_url(world, "D1"), form(poor="3", near="1")).status_code == 303
    province.post("/logout", data={"csrf_token": province.csrf()})

    district = login_as("district1")
    district.form(edit_url(world, "C1"), form(poor="1"))
    html = district.get(f"/targets/?year=2024").get_data(as_text=True)
    check = consistency_cells(html)
    assert check["poor"] == ("short", 1, -2)            # thiếu 2
    assert check["near_poor"] == ("short", 0, -1)
    assert check["merit_poor"][0] == "no_parent"
    assert "Thiếu 2" in page_text(district.get("/targets/?year=2024"))

    c1 = targets(db, world, "C1")["poor"]
    district.form(edit_url(world, "C2"), form(poor="1", near="1"))
    district.form(edit_url(world, "C1"), form(poor="2", versions=(c1.version, 0, 0)))
    check = consistency_cells(district.get("/targets/?year=2024").get_data(as_text=True))
    assert check["poor"] == ("enough", 3, 0)            # đủ
    assert check["near_poor"] == ("enough", 1, 0)

    c1 = targets(db, world, "C1")["poor"]
    district.form(edit_url(world, "C1"), form(poor="4", versions=(c1.version, 0, 0)))
    check = consistency_cells(district.get("/targets/?year=2024").get_data(as_text=True))
    assert check["poor"] == ("over", 5, 2)              # vượt 2
    assert "Vượt 2" in page_text(district.get("/targets/?year=2024"))


def test_consistency_of_hamlets_against_the_commune_with_percent_targets(login_as, world, db, paths):
    district = login_as("district1")
    district.form(edit_url(world, "C1"), form(poor="50", mode="percent"))   # 50 % of 4 = 2
    district.post("/logout", data={"csrf_token": district.csrf()})
    commune = login_as("commune1")
    commune.form(edit_url(world, "H1"), form(poor="1"))
    commune.form(edit_url(world, "H1b"), form(poor="50", mode="percent"))   # 50 % of 2 = 1
    html = commune.get("/targets/?year=2024").get_data(as_text=True)
    assert consistency_cells(html)["poor"] == ("enough", 2, 0)
    # The commune reads its own target, set by the district, without an edit button for it.
    assert "50,00 %" in page_text(commune.get("/targets/?year=2024"))
    assert f'/targets/{world.units["C1"]}/2024/edit' not in html


def test_unit_view_is_scoped(login_as, world, db, paths):
    client = login_as("district1")
    assert client.get(f"/targets/?unit={world.units['C1']}").status_code == 200
    for other in ("C3", "D2", "P1", "C4", "C5", "H3"):
        assert client.get(f"/targets/?unit={world.units[other]}").status_code == 404, other
    html = client.get("/targets/?year=2024").get_data(as_text=True)
    assert "Xã Ba" not in html and "Xã Một" in html and "Xã Hai" in html


def test_htmx_year_switch_returns_the_table_only(login_as, world, db, paths):
    client = login_as("district1")
    response = client.htmx_get("/targets/?year=2024", target="targets-table")
    assert response.status_code == 200 and "Vary" in response.headers
    assert response.get_data(as_text=True).lstrip().startswith('<div id="targets-table">')
