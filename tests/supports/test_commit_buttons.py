"""Buttons that commit something irreversible (approve a payout, publish a disclosure, apply a
round's decision, submit or lock a report's figures, import rows) are styled btn-commit (filled
red), not as the ordinary primary action."""
import re
from pathlib import Path

import pytest

from app.supports import services as support_services
from tests.funds import helpers as h
from tests.supports.helpers import PNG, colleague, upload

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"
COMMITS = [("funds/_review_row.html", "Duyệt chi"), ("funds/_entry_detail.html", "Duyệt chi"),
           ("funds/disclosure.html", "Công khai"),
           ("reviews/rounds/_decision.html", "Áp dụng quyết định"),
           ("targets/_report_body.html", "Nộp và chốt số liệu"),
           ("targets/_figures.html", "Chốt số liệu năm"),
           ("imports/_preview.html", "Nhập vào hệ thống")]


def _buttons(html, label):
    return [b for b in re.findall(r"<button\b[^>]*>[^<]*</button>", html) if label in b]


@pytest.mark.parametrize("template, label", COMMITS)
def test_commit_buttons_are_styled_as_such(template, label):
    found = _buttons((TEMPLATES / template).read_text(encoding="utf-8"), label)
    assert found, (template, label)
    for button in found:
        assert "btn-commit" in button and "btn-primary" not in button, button


def test_css_defines_the_commit_style():
    css = (TEMPLATES.parent / "static" / "app.css").read_text(encoding="utf-8")
    assert re.search(r"\.btn-commit\s*\{[^}]*background:#b3261e", css)


def test_the_fronts_approve_button_is_a_commit_button(login_as, world, db):
    fund = h.fund(world)
    h.receipt(fund, 10_000_000)
    support = h.support(world, value=1_000_000)
    support_services.attach_evidence(support, upload(PNG, "bien-ban.png", "image/png"), None)
    support_services.verify(support, colleague(world))
    entry = h.disbursement(support)
    db.session.commit()
    body = login_as("massorg1").get("/funds/review?state=open&from=01/01/2025").get_data(as_text=True)
    start = body.index(f'<tr id="entry-{entry.id}">')
    row = body[start:body.index("</tr>", start)]
    [button] = _buttons(row, "Duyệt chi")
    assert 'class="btn btn-small btn-commit"' in button
