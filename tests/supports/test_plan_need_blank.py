"""The plan form's need select starts on a blank "— Chọn nhu cầu —" (never on the first need,
e.g. "3. Dinh dưỡng"), and leaving it blank is refused in Vietnamese with nothing written."""
import re

from sqlalchemy import func, select

from app.supports.models import PlanItem
from tests.conftest import page_text


def _need_select(html):
    return re.search(r'<select[^>]*name="need".*?</select>', html, re.S)[0]


def test_need_select_starts_blank(login_as, world):
    hh = world.households["C1"]
    html = login_as("commune1").get(f"/supports/households/{hh}/plan/new") \
        .get_data(as_text=True)
    select_html = _need_select(html)
    first = re.search(r"<option[^>]*>[^<]*</option>", select_html)[0]
    assert 'value=""' in first and "— Chọn nhu cầu —" in first
    assert "selected" not in select_html.replace(first, "")
    assert "required" in select_html.split(">", 1)[0]


def test_a_preset_need_is_still_selected(login_as, world):
    hh = world.households["C1"]
    html = login_as("commune1").get(f"/supports/households/{hh}/plan/new?need=indicator:water"
                                    ).get_data(as_text=True)
    assert re.search(r'<option[^>]*selected[^>]*value="indicator:water"|'
                     r'<option[^>]*value="indicator:water"[^>]*selected', _need_select(html))


def test_blank_need_is_refused_and_nothing_written(login_as, world, db):
    hh = world.households["C1"]
    response = login_as("commune1").form(f"/supports/households/{hh}/plan/new", {
        "need": "", "action": "Hỗ trợ xây bể chứa nước", "responsible_name": "Cán bộ xã",
        "due_on": "30/06/2026", "status": "planned", "dropped_reason": ""}, htmx=True)
    assert response.status_code == 422
    assert "Chọn nhu cầu (chỉ số thiếu hụt hoặc nguyên nhân nghèo)." in page_text(response)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(PlanItem.id))
                             .where(PlanItem.household_id == hh)) == 0
