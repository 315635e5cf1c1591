"""Supports delivered through HTTP: the officer's form (money, credit, smuggled ids), the panel
with its totals, and corrections by reversal."""
from datetime import date

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.supports.models import Support
from tests.conftest import page_text
from tests.supports.helpers import plan_item, sponsor, support

TODAY = clock.today()


def form(**change):
    data = {"delivered_on": "10/03/2025", "type_code": "livestock", "description": "2 con bê giống",
            "quantity": "2", "unit": "con", "value_vnd": "24.000.000",
            "funding_source_code": "fund_poor", "credit_programme_code": "",
            "credit_term_months": "", "programme_code": "ntp_2021_p3", "provider_sponsor_id": "",
            "provider_name": "Hội Nông dân xã", "plan_item_id": ""}
    data.update(change)
    return data


def count(db):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Support))


def latest(db):
    db.session.expire_all()
    return db.session.scalar(select(Support).order_by(Support.id.desc()).limit(1))


def post(client, world, data, commune="C1", htmx=True):
    return client.form(f"/supports/households/{world.households[commune]}/new", data, htmx=htmx)


@pytest.mark.parametrize("typed", ["24.000.000", "24,000,000", "24000000", "24 000 000 đ"])
def test_money_as_officers_type_it(login_as, world, db, typed):
    client = login_as("commune1")
    response = post(client, world, form(value_vnd=typed))
    assert response.status_code == 200 and response.headers["HX-Retarget"] == "#supports-panel"
    row = latest(db)
    assert row.value_vnd == 24_000_000 and row.verification == "pending"
    assert row.recorded_by_id == world.users["commune1"] and row.programme_code == "ntp_2021_p3"
    assert "24.000.000 đ" in response.get_data(as_text=True)


@pytest.mark.parametrize("typed, message", [
    ("-5.000.000", "Giá trị không được âm"), ("hai triệu", "Số tiền không hợp lệ"),
    ("1,5", "Số tiền không hợp lệ"), ("24.000.000,5", "Số tiền không hợp lệ"),
    ("", "Không được để trống.")])
def test_bad_money_is_refused_in_vietnamese(login_as, world, db, typed, message):
    client = login_as("commune1")
    before = count(db)
    response = post(client, world, form(value_vnd=typed))
    assert response.status_code == 422
    assert message in page_text(response)
    assert response.get_data(as_text=True).lstrip().startswith('<div id="support-form"')
    assert count(db) == before


def test_credit_source_requires_programme_and_term(login_as, world, db):
    client = login_as("commune1")
    before = count(db)
    loan = form(type_code="vbsp_loan", funding_source_code="vbsp_credit", value_vnd="50.000.000")
    response = post(client, world, loan)
    assert response.status_code == 422 and "chọn chương trình tín dụng" in page_text(response)
    response = post(client, world, {**loan, "credit_programme_code": "poor"})
    assert response.status_code == 422 and "thời hạn vay" in page_text(response)
    response = post(client, world, {**loan, "credit_programme_code": "poor", "credit_term_months": "abc"})
    assert response.status_code == 422
    assert count(db) == before
    response = post(client, world, {**loan, "credit_programme_code": "poor", "credit_term_months": "60"})
    assert response.status_code == 200
    row = latest(db)
    assert (row.credit_programme_code, row.credit_term_months, row.value_vnd) == ("poor", 60, 50_000_000)
    assert "Cho vay hộ nghèo" in page_text(response) and "60 tháng" in page_text(response)


def test_plan_item_of_another_household_smuggled(login_as, world, db):
    mine, other = plan_item(world, "C1"), plan_item(world, "C3")
    db.session.commit()
    client = login_as("commune1")
    before = count(db)
    response = post(client, world, form(plan_item_id=other.id))
    assert response.status_code == 422 and "Mục kế hoạch không thuộc hộ này." in page_text(response)
    assert count(db) == before
    assert post(client, world, form(plan_item_id=mine.id)).status_code == 200
    assert latest(db).plan_item_id == mine.id


def test_provider_sponsor_outside_scope_smuggled(login_as, world, db):
    far = sponsor(world, province="P2", name="Công ty Tỉnh Khác")
    db.session.commit()
    client = login_as("commune1")
    before = count(db)
    response = post(client, world, form(provider_sponsor_id=far.id))
    assert response.status_code == 422 and count(db) == before


def test_plain_post_redirects(login_as, world, db):
    client = login_as("commune1")
    response = post(client, world, form(), htmx=False)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/households/{world.households['C1']}#supports-panel")


def test_future_date_refused(login_as, world, db):
    client = login_as("commune1")
    response = post(client, world, form(delivered_on=f"01/01/{TODAY.year + 1}"))
    assert response.status_code == 422 and "Ngày không được ở tương lai." in page_text(response)


def test_panel_totals_by_source_and_year(login_as, world, db):
    support(world, verified=True, value_vnd=24_000_000, funding_source_code="fund_poor")
    support(world, value_vnd=1_500_000, funding_source_code="fund_gratitude",
            delivered_on=date(2026, 1, 20))
    db.session.commit()
    client = login_as("district1")
    html = client.htmx_get(f"/supports/households/{world.households['C1']}/").get_data(as_text=True)
    assert html.lstrip().startswith('<section id="supports-panel"')
    text = page_text(html_response := client.get(f"/supports/households/{world.households['C1']}/"))
    assert html_response.status_code == 200
    assert "Quỹ Vì người nghèo 24.000.000 đ" in text
    assert "Quỹ Đền ơn đáp nghĩa 1.500.000 đ chờ xác minh 1.500.000 đ" in text
    assert "Tổng cộng 25.500.000 đ" in text
    assert "2026 1.500.000 đ" in text and "2025 24.000.000 đ" in text
    assert "Ghi nhận hỗ trợ" not in html   # district officers read only


def test_reverse_through_the_panel(login_as, world, db):
    wrong = support(world, verified=True, value_vnd=24_000_000)
    db.session.commit()
    client = login_as("commune1")
    panel = client.htmx_get(f"/supports/households/{world.households['C1']}/").get_data(as_text=True)
    assert "Điều chỉnh (ghi bút toán đảo)" in panel
    short = client.form(f"/supports/{wrong.id}/reverse", {"reason": "sai"}, htmx=True)
    assert short.status_code == 422 and "Lý do từ 5 đến 500 ký tự." in page_text(short)
    response = client.form(f"/supports/{wrong.id}/reverse", {"reason": "Nhập trùng khoản"}, htmx=True)
    assert response.status_code == 200 and response.headers["HX-Retarget"] == "#supports-panel"
    text = page_text(response)
    assert "-24.000.000 đ" in text and "Bút toán đảo Nhập trùng khoản" in text
    assert "Tổng cộng 0 đ" in text
    reversal = latest(db)
    assert reversal.reverses_id == wrong.id and reversal.value_vnd == -24_000_000
    again = client.form(f"/supports/{wrong.id}/reverse", {"reason": "Đảo thêm lần nữa"}, htmx=True)
    assert again.status_code == 422 and "đã được điều chỉnh" in page_text(again)
    twice = client.form(f"/supports/{reversal.id}/reverse", {"reason": "Đảo bút toán đảo"}, htmx=True)
    assert twice.status_code == 422
    assert count(db) == 2


def test_reverse_of_another_commune_is_404(login_as, world, db):
    other = support(world, "C3", verified=True)
    db.session.commit()
    client = login_as("commune1")
    response = client.form(f"/supports/{other.id}/reverse", {"reason": "Nhập trùng khoản"}, htmx=True)
    assert response.status_code == 404 and count(db) == 1
