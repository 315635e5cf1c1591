"""The Excel export of the household list: the list page's filters, the role's columns, text
that can never become a formula, the audit trail, and the link on the list page."""
import io
import zipfile

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.core.audit import AuditLog
from app.core.units import AdminUnit
from app.households import services as household_services
from app.households.models import Household
from tests.reports.conftest import review


def workbook(client, query=""):
    response = client.get(f"/reports/households.xlsx{query}")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return response, load_workbook(io.BytesIO(response.data)).active


def table(ws):
    """(headings, data rows, totals row) of the exported list."""
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[0] == "STT")
    body = [r for r in rows[head + 1:] if isinstance(r[0], int)]
    totals = next(r for r in rows[head + 1:] if r[1] == "Tổng cộng")
    return list(rows[head]), body, totals


def add(db, world, code, head_name, hamlet="H1", **head):
    return household_services.create_household(
        {"code": code, "head_name": head_name, "address": "Xóm 2"},
        db.session.get(AdminUnit, world.units[hamlet]),
        head={"birth_year": 1975, "sex": "F", **head})


def test_dangerous_names_stay_text(login_as, world, db):
    for i, name in enumerate(["=1+1", "@SUM(A1)", "+cmd|' /C calc'!A0", "-2+3",
                              '=HYPERLINK("http://x","bấm")']):
        add(db, world, f"X-{i}", name)
    db.session.commit()
    response, ws = workbook(login_as("commune1"), "?q=X-&sort=code")
    headings, body, _totals = table(ws)
    col = headings.index("Họ và tên chủ hộ")
    cells = {ws.cell(row=r, column=col + 1).value: ws.cell(row=r, column=col + 1)
             for r in range(1, ws.max_row + 1)}
    for name in ("=1+1", "@SUM(A1)", "+cmd|' /C calc'!A0", "-2+3", '=HYPERLINK("http://x","bấm")'):
        assert cells[name].data_type == "s", name          # a string, not a formula
        assert cells[name].quotePrefix, name               # and stays one when edited
    sheet_xml = zipfile.ZipFile(io.BytesIO(response.data)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml


def test_export_follows_the_list_filters_and_sort(login_as, world, db):
    a = add(db, world, "F-1", "Bùi Văn Ất")
    b = add(db, world, "F-2", "An Thị Bé", hamlet="H1b")
    review(a, 2024, "poor", ["employment", "water", "latrine"])
    review(b, 2024, "near_poor", ["employment"], None)
    db.session.commit()
    client = login_as("commune1")
    _r, ws = workbook(client, "?status=poor&sort=name")
    headings, body, totals = table(ws)
    codes = [r[headings.index("Mã hộ")] for r in body]
    assert codes == ["F-1", "HH-C1"]                       # poor only, by folded head name
    assert ws["A3"].value == "Điều kiện lọc: Hộ nghèo"
    assert totals[2] == "2 hộ"
    _r, ws = workbook(client, f"?hamlet={world.units['H1b']}")
    _h, body, _t = table(ws)
    assert [r[1] for r in body] == ["F-2"]
    _r, ws = workbook(client, "?q=bui+van")
    assert [r[1] for r in table(ws)[1]] == ["F-1"]
    # Everything matching, not one page: more households than PAGE_SIZE.
    for i in range(30):
        add(db, world, f"P-{i:02d}", f"Người {i:02d}")
    db.session.commit()
    _r, ws = workbook(client, "?page=2")
    expected = db.session.scalar(select(func.count()).select_from(Household).where(
        Household.commune_id == world.units["C1"], Household.deleted_at.is_(None)))
    assert len(table(ws)[1]) == expected > 25


def test_columns_follow_the_role(login_as, world, db):
    add(db, world, "S-1", "Lò Thị Sen", id_number="001175012345", ethnicity_code="3")
    db.session.commit()
    client = login_as("commune1")
    _r, ws = workbook(client, "?q=S-1")
    headings, body, _t = table(ws)
    assert "Số CCCD chủ hộ" in headings and "Dân tộc" in headings and "Dân tộc thiểu số" in headings
    row = dict(zip(headings, body[0]))
    assert row["Số CCCD chủ hộ"] == "••••••••2345"          # masked, as on screen
    assert row["Dân tộc"] == "Thái" and row["Năm sinh"] == 1975 and row["Giới tính"] == "Nữ"
    assert "Xã/phường" not in headings                       # one commune: no commune column

    client.post("/logout", data={"csrf_token": client.csrf()})
    client = login_as("massorg1")
    _r, ws = workbook(client, "?q=S-1")
    headings, body, _t = table(ws)
    assert not {"Số CCCD chủ hộ", "Dân tộc", "Dân tộc thiểu số"} & set(headings)
    cells = [str(v) for r in ws.iter_rows(values_only=True) for v in r if v is not None]
    assert not any("2345" in v or "Thái" in v for v in cells)
    assert [r[1] for r in body] == ["S-1"]


def test_district_export_covers_its_communes_only(login_as, world, db):
    _r, ws = workbook(login_as("district1"))
    headings, body, totals = table(ws)
    assert "Xã/phường" in headings
    assert sorted(r[1] for r in body) == ["HH-C1", "HH-C2"]
    assert totals[headings.index("Số nhân khẩu")] == 4     # head + spouse, twice


def test_export_is_audited(login_as, world, db):
    before = db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "export"))
    workbook(login_as("commune1"), "?status=poor")
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "export")
                               .order_by(AuditLog.id.desc())).first()
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "export")) == before + 1
    assert entry.entity == "household" and entry.after["filters"] == {"status": "poor", "sort": "name"}


def test_list_page_links_the_export_with_its_filters(login_as, world):
    client = login_as("commune1")
    html = client.get("/households/?status=poor&flag=merit&page=1").get_data(as_text=True)
    assert "Xuất Excel" not in html                          # no poor merit household: no rows
    html = client.htmx_get("/households/?status=poor&sort=code", target="hh-results").get_data(as_text=True)
    assert 'id="hh-export" href="/reports/households.xlsx?status=poor&amp;sort=code"' in html
