"""Yearly figures: entered totals (422 on bad input, 404 outside the officer's units), the
freeze service the round decision calls, and the figures check's refusals."""

from app.core import clock
from app.core.units import AdminUnit
from app.households import services as household_services
from app.targets import figures
from tests.conftest import page_text


def test_entered_total_is_validated_and_scoped(login_as, world, db):
    client = login_as("commune1")
    h1 = world.units["H1"]
    response = client.form(f"/targets/figures/{h1}/2023/edit", {"households": "12a"})
    assert response.status_code == 422 and "Số hộ phải là số nguyên" in page_text(response)
    response = client.form(f"/targets/figures/{h1}/2023/edit", {"households": "0"})
    assert response.status_code == 422 and "ít hơn số hộ nghèo và cận nghèo" in page_text(response)
    response = client.form(f"/targets/figures/{h1}/2023/edit", {"projected": "99 %"})
    assert response.status_code == 422 and "Mức tăng số hộ" in page_text(response)
    assert client.form(f"/targets/figures/{world.units['H3']}/2023/edit",
                       {"households": "10"}).status_code == 404
    response = client.form(f"/targets/figures/{h1}/2023/edit", {"households": "40"})
    assert response.status_code == 303
    page = page_text(client.get(f"/targets/figures?year=2023&unit={world.units['C1']}"))
    assert "Số hộ do cán bộ nhập" in page and "2,50" in page        # 1 poor / 40 households


def test_freeze_year_keeps_a_past_year_when_households_are_added(world, db):
    commune = db.session.get(AdminUnit, world.units["C1"])
    assert figures.year_figures(commune, 2023, figures.UNSCOPED).of(commune.id)["households"] == 1
    row = figures.freeze_year(commune, 2023, None, "12/QĐ-UBND")
    assert (row.households, row.poor, row.persons, row.decision_number) == (1, 1, 2, "12/QĐ-UBND")
    assert figures.freeze_year(commune, 2023) is row          # idempotent for the round decision
    household_services.create_household({"code": "NEW-1", "head_name": "Hộ Mới", "address": ""},
                                         db.session.get(AdminUnit, world.units["H1"]),
                                         head={"birth_year": 1990, "sex": "M"})
    db.session.flush()
    frozen = figures.year_figures(commune, 2023, figures.UNSCOPED)
    assert frozen.of(commune.id)["households"] == 1 and frozen.of(commune.id).frozen
    assert frozen.of(world.units["H1"]).frozen
    live = figures.year_figures(commune, 2024, figures.UNSCOPED).of(commune.id)
    assert live["households"] == 2 and live.provisional


def test_figures_check_refuses_what_is_not_a_number(login_as, world, db):
    client = login_as("commune1")
    h1 = world.units["H1"]
    response = client.form("/reports/figures-check", {"unit": world.units["C1"], "year": 2023,
                                                      f"{h1}-households": "mười",
                                                      f"{h1}-poor_rate": "1,3,6"})
    assert response.status_code == 422
    text = page_text(response)
    assert "“mười” không phải số hộ" in text and "“1,3,6” không phải tỷ lệ" in text
    assert client.form("/reports/figures-check", {"unit": world.units["C3"],
                                                  "year": 2023}).status_code == 404
    response = client.form("/reports/figures-check", {"unit": world.units["C1"], "year": 2023,
                                                      f"{h1}-households": "1", f"{h1}-poor": "1",
                                                      f"{h1}-poor_rate": "100,00"})
    assert response.status_code == 200 and 'data-kind="none"' in response.get_data(as_text=True)
    assert clock.today().year > 2023
