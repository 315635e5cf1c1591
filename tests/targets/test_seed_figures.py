"""The seeds' tables rebuilt from data entered as an officer would: household rows through the
Excel import, hamlet totals, projections and targets through the forms, then the report pages
and workbooks; the printed tables typed into the figures check, which flags what does not add
up. Seed 004: Kế hoạch 85/KH-UBND (xã Thịnh Đức, 2022). Seed 003: Phụ lục of Kế hoạch
129/KH-UBND (Thừa Thiên Huế, 2021). The copied rows live in tests/reports/test_seed_tables.py."""
import io
import re

import pytest
from openpyxl import load_workbook

from app.core.units import COMMUNE, DISTRICT, HAMLET, PROVINCE, AdminUnit
from app.core.users import Role, User
from tests.conftest import PASSWORD, page_text
from tests.imports.conftest import batch_id_of, check, commit, upload, xlsx
from tests.reports.test_seed_tables import SEED_003, SEED_004_NEAR, SEED_004_POOR, count


def place(db, code, name, level, parent=None):
    unit = AdminUnit(code=code, name=name, level=level, parent=parent)
    db.session.add(unit)
    db.session.flush()
    unit.rebuild_path()
    return unit


def officer(db, username, role, unit):
    user = User(username=username, full_name=username, role=role, unit_id=unit.id)
    user.set_password(PASSWORD)
    db.session.add(user)
    return user


HEADINGS = ["Họ và tên chủ hộ", "Năm sinh", "Giới tính", "Thôn", "Thu nhập bình quân",
            "Chỉ số thiếu hụt", "Phân loại", "Hộ không còn khả năng lao động", "Nhóm chính sách"]


def poor_row(n, hamlet, no_labour=False, group="Giảm nghèo"):
    return [f"Trần Văn Nghèo {n}", 1950 + n % 40, "Nam", hamlet, 1_000_000, "1, 9, 10",
            "Hộ nghèo", "x" if no_labour else None, group]


def near_row(n, hamlet):
    return [f"Lê Thị Cận {n}", 1950 + n % 40, "Nữ", hamlet, 1_400_000, "2", "Hộ cận nghèo", None, None]


def import_list(client, rows, year):
    batch_id = batch_id_of(upload(client, xlsx([HEADINGS, *rows]), f"ds-{year}.xlsx"))
    response = check(client, batch_id, year=year, review_date=f"01/11/{year}",
                     decision=("85/QĐ-UBND", f"20/12/{year}"))
    assert response.status_code == 303, page_text(response)[:3000]
    response = commit(client, batch_id)
    assert response.status_code == 303, page_text(response)[:3000]


def tsv(table):
    return [line.split("\t") for line in table.splitlines()]


@pytest.fixture
def thinh_duc(db, world):
    """Xã Thịnh Đức with the twelve hamlets of seed 004 and its commune officer."""
    province = db.session.get(AdminUnit, world.units["P1"])
    commune = place(db, "00199", "Xã Thịnh Đức", COMMUNE, province)
    hamlets = {cells[1]: place(db, f"0019901{int(cells[0]):02d}", cells[1], HAMLET, commune)
               for cells in tsv(SEED_004_POOR) if cells[0] != "CỘNG"}
    officer(db, "thinhduc", Role.COMMUNE, commune)
    db.session.commit()
    return commune, hamlets


# Seed 004 -----------------------------------------------------------------------------------

def enter_seed_004(client, commune, hamlets):
    """The 2021 review lists through the import (only poor and near-poor households: the
    commune keeps no other household in the app), each hamlet's total households and the 2022
    targets through the forms."""
    rows, n = [], 0
    for cells in tsv(SEED_004_POOR):
        if cells[0] == "CỘNG":
            continue
        poor, no_labour = count(cells[3]), count(cells[4] or "0")
        for i in range(poor):
            n += 1
            rows.append(poor_row(n, cells[1], no_labour=i < no_labour))
    names = list(hamlets)       # the near-poor table spells two names differently
    for index, cells in enumerate(tsv(SEED_004_NEAR)):
        for _i in range(count(cells[3])):
            n += 1
            rows.append(near_row(n, names[index]))
    import_list(client, rows, 2021)

    for cells in tsv(SEED_004_POOR):
        if cells[0] == "CỘNG":
            continue
        response = client.form(f"/targets/figures/{hamlets[cells[1]].id}/2021/edit",
                               {"households": cells[2], "projected": "", "note": "Theo sổ hộ"})
        assert response.status_code == 303, page_text(response)[:2000]
    near = {names[i]: cells for i, cells in enumerate(tsv(SEED_004_NEAR))}
    for cells in tsv(SEED_004_POOR):
        if cells[0] == "CỘNG":
            continue
        data = {"poor_mode": "count", "poor_value": cells[5], "poor_version": "0",
                "near_poor_mode": "count", "near_poor_value": near[cells[1]][4],
                "near_poor_version": "0", "merit_poor_mode": "count", "merit_poor_value": "",
                "merit_poor_version": "0", "note": ""}
        response = client.form(f"/targets/{hamlets[cells[1]].id}/2022/edit", data)
        assert response.status_code == 303, page_text(response)[:2000]


def test_seed_004_hamlet_tables_from_imported_lists_and_entered_totals(thinh_duc, login_as, db):
    commune, hamlets = thinh_duc
    client = login_as("thinhduc")
    enter_seed_004(client, commune, hamlets)

    response = client.get(f"/reports/hamlet-targets.xlsx?year=2022&unit={commune.id}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    poor_sheet, near_sheet = book.worksheets[:2]

    def table(sheet):
        """Hamlet name → its row (TT, name, figures…) and the totals row."""
        rows = [[c.value for c in r] for r in sheet.iter_rows()]
        body = {r[1]: r for r in rows if r[1] in hamlets}
        total = next(r for r in rows if r[1] == "Cộng")
        return body, total

    body, total = table(poor_sheet)
    for cells in tsv(SEED_004_POOR):
        if cells[0] == "CỘNG":
            continue
        tt, name, households, poor, no_labour, plan, end, _rate = cells
        row = body[name]
        assert row[2:7] == [count(households), count(poor), count(no_labour or "0"),
                            count(plan) if plan else None, count(end)], name
    # 37 → 31; the households are the hamlets' entered totals, which sum to 2.111 (the seed's
    # printed total says 2.211): 31 / 2.111 = 1,47 %.
    assert total[2:7] == [2_111, 37, 21, 6, 31]
    assert round(total[7], 4) == 1.47
    body, total = table(near_sheet)
    assert total[2:6] == [2_111, 22, 3, 19]
    assert round(total[6], 4) == 0.90

    page = page_text(client.get(f"/reports/hamlet-targets?year=2022&unit={commune.id}"))
    assert "2.111" in page and "1,47" in page
    assert "tạm tính" in page and "Tổng số hộ do cán bộ nhập" in page

    # The printed poor table, typed into the figures check: its total line does not add up.
    data = {"unit": commune.id, "year": 2021}
    for cells in tsv(SEED_004_POOR):
        key = "total" if cells[0] == "CỘNG" else str(hamlets[cells[1]].id)
        data[f"{key}-households"], data[f"{key}-poor"] = cells[2], cells[3]
    response = client.form("/reports/figures-check", data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    found = set(re.findall(r'data-row="(\w+)" data-field="(\w+)" data-kind="(\w+)"', html))
    assert found == {("total", "households", "sum"), ("total", "households", "app")}
    text = page_text(response)
    assert "dòng tổng in 2.211, nhưng cộng các dòng được 2.111" in text
    assert "bảng in 2.211, số liệu trên hệ thống 2.111" in text


def test_seed_004_year_frozen_stands_still_when_households_are_added(thinh_duc, login_as, db):
    commune, hamlets = thinh_duc
    client = login_as("thinhduc")
    enter_seed_004(client, commune, hamlets)
    response = client.form("/targets/figures/2021/freeze", {})
    assert response.status_code == 303, page_text(response)[:2000]
    assert client.form("/targets/figures/2021/freeze", {}).status_code == 422   # once only

    # Later: a hamlet's total is corrected and one more poor household is imported for 2021.
    first = next(iter(hamlets.values()))
    response = client.form(f"/targets/figures/{first.id}/2021/edit", {"households": "300"})
    assert response.status_code == 422 and "đã chốt" in page_text(response)
    import_list(client, [poor_row(999, first.name)], 2021)

    page = page_text(client.get(f"/reports/hamlet-targets?year=2022&unit={commune.id}"))
    assert "Số liệu năm 2021 đã chốt" in page and "tạm tính" not in page
    book = load_workbook(io.BytesIO(client.get(
        f"/reports/hamlet-targets.xlsx?year=2022&unit={commune.id}").data))
    total = next([c.value for c in r] for r in book.worksheets[0].iter_rows()
                 if r[1].value == "Cộng")
    assert total[2:7] == [2_111, 37, 21, 6, 31]       # not 38: the year is frozen
    figures_page = page_text(client.get(f"/targets/figures?year=2021&unit={commune.id}"))
    assert "Đã chốt" in figures_page


# Seed 003 -----------------------------------------------------------------------------------

@pytest.fixture
def hue(db):
    """A province with the nine districts of seed 003, each with one commune, one hamlet and
    its commune officer; the province officer."""
    province = place(db, "46", "Tỉnh Thừa Thiên Huế", PROVINCE)
    districts = {}
    for cells in tsv(SEED_003):
        tt = int(cells[0])
        district = place(db, f"46{tt:03d}", cells[1], DISTRICT, province)
        commune = place(db, f"46{tt:03d}01", f"Xã {tt} của {cells[1]}", COMMUNE, district)
        place(db, f"46{tt:03d}0101", f"Thôn Một {tt}", HAMLET, commune)
        officer(db, f"hue-xa{tt}", Role.COMMUNE, commune)
        districts[cells[1]] = district
    officer(db, "hue-tinh", Role.DISTRICT, province)
    db.session.commit()
    return province, districts


def test_seed_003_appendix_from_imported_lists_entered_totals_and_projections(hue, login_as, db):
    province, districts = hue
    printed = {cells[1]: cells for cells in tsv(SEED_003)}
    for cells in printed.values():          # each commune imports its 2020 poor list
        tt, poor, social = int(cells[0]), count(cells[3]), count(cells[6])
        client = login_as(f"hue-xa{tt}")
        import_list(client, [poor_row(i, f"Thôn Một {tt}", group="BTXH" if i < social else "Giảm nghèo")
                             for i in range(poor)], 2020)
        client.form("/logout")

    client = login_as("hue-tinh")
    for name, cells in printed.items():     # total and projected households, targets of 2021
        response = client.form(f"/targets/figures/{districts[name].id}/2020/edit",
                               {"households": cells[2], "projected": cells[10]})
        assert response.status_code == 303, page_text(response)[:2000]
        response = client.form(f"/targets/{districts[name].id}/2021/edit", {
            "poor_mode": "count", "poor_value": cells[11], "poor_version": "0",
            "near_poor_mode": "count", "near_poor_value": "", "near_poor_version": "0",
            "merit_poor_mode": "count", "merit_poor_value": "", "merit_poor_version": "0"})
        assert response.status_code == 303, page_text(response)[:2000]

    response = client.get(f"/reports/targets.xlsx?year=2021&unit={province.id}")
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(response.data)).worksheets[0].iter_rows()]
    body = {r[1]: r for r in rows if r[1] in printed}
    for name, cells in printed.items():
        row = body[name]
        assert (row[2], row[3], row[12], row[13], row[14]) == (
            count(cells[2]), count(cells[3]), count(cells[10]), count(cells[11]), count(cells[12]))
        assert (row[6], row[8]) == (count(cells[6]), count(cells[8]))
    total = next(r for r in rows if r[1] == "Tổng cộng")
    assert (total[2], total[3], total[12], total[13], total[14]) == (314_947, 10_871, 316_128, 1_220, 9_651)
    assert [round(total[i], 4) for i in (5, 15, 16)] == [3.45, 3.05, 0.40]
    page = page_text(client.get(f"/reports/targets?year=2021&unit={province.id}"))
    assert "Tổng số hộ dân dự kiến năm 2021" in page and "3,05" in page and "0,40" in page

    # The printed appendix typed into the figures check: Huế's and Hương Trà's policy shares.
    data = {"unit": province.id, "year": 2020}
    for name, cells in printed.items():
        key = districts[name].id
        for field, index in (("households", 2), ("poor", 3), ("poor_rate", 5), ("social", 6),
                             ("social_share", 7), ("policy", 8), ("policy_share", 9)):
            data[f"{key}-{field}"] = cells[index]
    data.update({"total-households": "314.947", "total-poor": "10.871", "total-poor_rate": "3,45"})
    response = client.form("/reports/figures-check", data)
    assert response.status_code == 200
    found = set(re.findall(r'data-row="(\w+)" data-field="(\w+)" data-kind="(\w+)"',
                           response.get_data(as_text=True)))
    hue_id, tra_id = str(districts["Thành phố Huế"].id), str(districts["TX Hương Trà"].id)
    assert found == {(hue_id, "policy_share", "rate"), (hue_id, "policy_share", "app"),
                     (tra_id, "policy_share", "rate"), (tra_id, "policy_share", "app")}
    text = page_text(response)
    assert "Thành phố Huế — Tỷ lệ CS giảm nghèo (%): bảng in 43,88, nhưng tính từ chính số hộ " \
           "của bảng được 53,78" in text
