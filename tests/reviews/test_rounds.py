"""A commune's review round through HTTP: opening it (once per commune and year), progress by
hamlet, the households it covers (requests included), hamlet meetings with the 50 % rule,
review requests by household code, and scope (404 outside, 403 for readers who write)."""
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.core.audit import AuditLog
from app.core.units import AdminUnit
from app.households import services as household_services
from app.households.models import Household
from app.reviews import round_services
from app.reviews.models import HamletMeeting, ReviewRequest, ReviewRound
from app.reviews.services import ReviewInput, save_review
from tests.conftest import page_text

YEAR = 2024


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def _open_round(db, world, commune="C1", year=YEAR) -> ReviewRound:
    round_ = round_services.create_round(db.session.get(AdminUnit, world.units[commune]), year)
    db.session.commit()
    return round_


def _household(db, world, code, hamlet="H1", status="poor", year=YEAR - 1):
    """A household of `hamlet` whose decided review of `year` put it in `status`."""
    hh = household_services.create_household(
        {"code": code, "head_name": f"Chủ hộ {code}", "address": "", "policy_group": None},
        db.session.get(AdminUnit, world.units[hamlet]), head={"sex": "M", "birth_year": 1970})
    db.session.flush()
    _review(hh, year, status)
    db.session.commit()
    return hh


def _review(hh, year, status="poor"):
    income, indicators = {"poor": (1_200_000, ["employment", "water", "latrine"]),
                          "near_poor": (1_200_000, []), "not_poor": (5_000_000, [])}[status]
    save_review(hh, ReviewInput(
        year=year, review_type="periodic", review_date=date(year, 10, 1),
        income_per_capita=income, score_a=None, indicator_codes=indicators, cause_codes=[],
        has_labour=True, policy_group=None, needs="", decision_number="1/QĐ-UBND",
        decision_date=date(year, 12, 1), decided_status=status, override_reason=None), None)


def _row(text_of_page, hamlet_name):
    """The numbers of one hamlet's row in the progress table."""
    match = re.search(re.escape(hamlet_name) + r" (\d+) (\d+) (\d+) ([\d,]+)", text_of_page)
    assert match, hamlet_name
    return match.groups()


# Opening a round -------------------------------------------------------------------------

def test_commune_officer_opens_round_once_per_year(login_as, world, db):
    client = login_as("commune1")
    page = client.get("/reviews/rounds/")
    assert page.status_code == 200 and "Mở đợt rà soát" in page_text(page)
    assert f'value="{clock.today().year}"' in page.get_data(as_text=True)   # default year

    response = client.form("/reviews/rounds/", {"year": "2024", "starts_on": "01/09/2024",
                                                "ends_on": "14/12/2024"}, htmx=True)
    assert response.status_code == 204
    round_ = db.session.scalar(select(ReviewRound).where(ReviewRound.year == 2024))
    assert response.headers["HX-Redirect"] == f"/reviews/rounds/{round_.id}"
    assert (round_.commune_id, round_.district_id, round_.province_id) == (
        world.units["C1"], world.units["D1"], world.units["P1"])
    assert db.session.scalar(select(AuditLog).where(AuditLog.entity == "review_round")).after["year"] == 2024

    again = client.form("/reviews/rounds/", {"year": "2024"}, htmx=True)
    assert again.status_code == 422
    assert again.get_data(as_text=True).lstrip().startswith('<section id="round-form"')
    assert "Xã Một đã có đợt rà soát năm 2024." in page_text(again)
    assert _count(db, ReviewRound) == 1

    plain = client.form("/reviews/rounds/", {"year": "2025"})
    assert plain.status_code == 303
    assert plain.headers["Location"].startswith("/reviews/rounds/")


@pytest.mark.parametrize("data,message", [
    ({"year": ""}, "Không được để trống"),
    ({"year": "1990"}, "Năm không hợp lệ"),
    ({"year": "2024", "starts_on": "14/12/2024", "ends_on": "01/09/2024"}, "Ngày kết thúc phải sau"),
    ({"year": "2024", "starts_on": "31/02/2024"}, "Ngày không hợp lệ"),
])
def test_bad_round_is_refused(login_as, db, data, message):
    response = login_as("commune1").form("/reviews/rounds/", data, htmx=True)
    assert response.status_code == 422 and message in page_text(response)
    assert _count(db, ReviewRound) == 0


def test_commune_smuggled_into_round_form_is_ignored(login_as, world, db):
    login_as("commune1").form("/reviews/rounds/", {"year": "2024", "commune_id": world.units["C3"]})
    assert db.session.scalar(select(ReviewRound.commune_id)) == world.units["C1"]


@pytest.mark.parametrize("username", ["district1", "massorg1"])
def test_readers_cannot_open_rounds(login_as, db, username):
    client = login_as(username)
    assert "Mở đợt rà soát" not in page_text(client.get("/reviews/rounds/"))
    assert client.form("/reviews/rounds/", {"year": "2024"}).status_code == 403
    assert _count(db, ReviewRound) == 0


def test_list_shows_rounds_in_scope_with_counts(login_as, world, db):
    r1 = _open_round(db, world, "C1")
    _open_round(db, world, "C3")
    _household(db, world, "HH-X1")           # a second poor household in C1
    _review(db.session.get(Household, world.households["C1"]), YEAR)
    db.session.add(HamletMeeting(round_id=r1.id, hamlet_id=world.units["H1"], held_on=date(2024, 11, 1),
                                 attendance=10, agreeing=4))
    db.session.commit()
    text = page_text(login_as("district1").get("/reviews/rounds/"))
    assert "Xã Một" in text and "Xã Ba" not in text
    assert "1/2 hộ đã rà soát (50,00 %)" in text
    row = re.search(r"Xã Một 2024 .*? hộ đã rà soát \([\d,]+ %\) (\d+) (\d+)", text)
    assert row.groups() == ("1", "1")   # one meeting, one hamlet to re-survey


# Progress and the households a round covers ---------------------------------------------

def test_progress_by_hamlet(login_as, world, db):
    round_ = _open_round(db, world)
    # Thôn C1 (H1): HH-C1 (world, poor) + two poor + one not poor; Thôn Đông (H1b): one near-poor.
    a = _household(db, world, "HH-A")
    _household(db, world, "HH-B")
    _household(db, world, "HH-RICH", status="not_poor")
    _household(db, world, "HH-N", hamlet="H1b", status="near_poor")
    gone = _household(db, world, "HH-GONE")
    household_services.delete_household(gone, "Chuyển đi nơi khác", gone.version)
    _review(db.session.get(Household, world.households["C1"]), YEAR)   # stays poor
    _review(a, YEAR, "not_poor")        # leaves the lists, but was reviewed in this round
    _review(db.session.get(Household, world.households["C2"]), YEAR)   # another commune
    db.session.commit()

    response = login_as("commune1").get(f"/reviews/rounds/{round_.id}")
    assert response.status_code == 200
    text = page_text(response)
    assert _row(text, "Thôn C1") == ("3", "2", "1", "66,67")
    assert _row(text, "Thôn Đông") == ("1", "0", "1", "0,00")
    assert _row(text, "Cộng") == ("4", "2", "2", "50,00")
    assert "2/4 hộ đã rà soát (50,00 %)" in text
    assert "HH-RICH" not in text


def test_pending_list_links_case_files(login_as, world, db):
    round_ = _open_round(db, world)
    b = _household(db, world, "HH-B")
    n = _household(db, world, "HH-N", hamlet="H1b", status="near_poor")
    _review(db.session.get(Household, world.households["C1"]), YEAR)
    db.session.commit()
    client = login_as("massorg1")
    html = client.get(f"/reviews/rounds/{round_.id}/pending").get_data(as_text=True)
    assert f'href="/households/{b.id}"' in html and f'href="/households/{n.id}"' in html
    assert f'href="/households/{world.households["C1"]}"' not in html   # reviewed already
    assert "data-print" in html
    one = client.get(f"/reviews/rounds/{round_.id}/pending?hamlet={world.units['H1b']}")
    assert "HH-N" in page_text(one) and "HH-B" not in page_text(one)
    other = client.get(f"/reviews/rounds/{round_.id}/pending?hamlet={world.units['H3']}")
    assert "HH-N" in page_text(other) and "HH-B" in page_text(other)   # unknown hamlet: all


def test_requests_add_households_to_the_round(login_as, world, db):
    round_ = _open_round(db, world)
    rich = _household(db, world, "HH-RICH", hamlet="H1b", status="not_poor")
    client = login_as("commune1")
    url = f"/reviews/rounds/{round_.id}/requests"
    response = client.form(url, {"household_code": "hh-rich", "requested_on": "05/03/2024",
                                 "reason": "Chủ hộ ốm nặng, mất thu nhập"}, htmx=True)
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#requests"
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="requests"')
    assert 'id="round-progress" class="card" hx-swap-oob="true"' in html
    request_ = db.session.scalar(select(ReviewRequest))
    assert (request_.household_id, request_.year, request_.commune_id, request_.hamlet_id) == (
        rich.id, YEAR, world.units["C1"], world.units["H1b"])
    assert db.session.scalar(select(AuditLog).where(AuditLog.entity == "review_request")) is not None
    text = page_text(client.get(f"/reviews/rounds/{round_.id}"))
    assert _row(text, "Thôn Đông") == ("1", "0", "1", "0,00")
    assert "HH-RICH" in text and "05/03/2024" in text and "Chủ hộ ốm nặng" in text
    assert "HH-RICH" in page_text(client.get(f"/reviews/rounds/{round_.id}/pending"))
    assert "HH-RICH" in page_text(client.htmx_get(url))


@pytest.mark.parametrize("code", ["HH-C3", "HH-C2", "KHONG-CO"])
def test_request_for_household_outside_scope_is_422(login_as, world, db, code):
    round_ = _open_round(db, world)
    response = login_as("commune1").form(
        f"/reviews/rounds/{round_.id}/requests",
        {"household_code": code, "requested_on": "05/03/2024", "reason": "Đề nghị"}, htmx=True)
    assert response.status_code == 422
    assert response.get_data(as_text=True).lstrip().startswith('<div id="request-form"')
    assert "Không tìm thấy hộ có mã này trong địa bàn" in page_text(response)
    assert _count(db, ReviewRequest) == 0


def test_request_of_deleted_household_is_422(login_as, world, db):
    round_ = _open_round(db, world)
    gone = _household(db, world, "HH-GONE")
    household_services.delete_household(gone, "Chuyển đi nơi khác", gone.version)
    db.session.commit()
    response = login_as("commune1").form(
        f"/reviews/rounds/{round_.id}/requests",
        {"household_code": "HH-GONE", "requested_on": "05/03/2024", "reason": "Đề nghị"})
    assert response.status_code == 422 and _count(db, ReviewRequest) == 0


@pytest.mark.parametrize("data,message", [
    ({"household_code": ""}, "Không được để trống"),
    ({"reason": ""}, "Không được để trống"),
    ({"requested_on": "01/01/2099"}, "Ngày không được ở tương lai"),
])
def test_bad_request_is_refused(login_as, world, db, data, message):
    round_ = _open_round(db, world)
    form = {"household_code": "HH-C1", "requested_on": "05/03/2024", "reason": "Đề nghị", **data}
    response = login_as("commune1").form(f"/reviews/rounds/{round_.id}/requests", form, htmx=True)
    assert response.status_code == 422 and message in page_text(response)
    assert _count(db, ReviewRequest) == 0


# Hamlet meetings ---------------------------------------------------------------------------

def meeting(world, **changes):
    data = {"hamlet_id": world.units["H1"], "held_on": "10/11/2024", "attendance": "40",
            "agreeing": "15", "front_supervised": "y", "note": ""}
    data.update(changes)
    return data


def test_meeting_below_half_is_flagged(login_as, world, db):
    round_ = _open_round(db, world)
    client = login_as("commune1")
    url = f"/reviews/rounds/{round_.id}/meetings"
    response = client.form(url, meeting(world), htmx=True)
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#meetings"
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="meetings"')
    assert 'id="round-summary" class="card" hx-swap-oob="true"' in html
    text = page_text(response)
    assert "10/11/2024 Thôn C1 40 15 37,50 Có Cần rà soát lại" in text
    saved = db.session.scalar(select(HamletMeeting))
    assert (saved.hamlet_id, saved.attendance, saved.agreeing, saved.front_supervised) == (
        world.units["H1"], 40, 15, True)
    assert saved.needs_resurvey
    audit = db.session.scalar(select(AuditLog).where(AuditLog.entity == "hamlet_meeting"))
    assert audit.after["agreeing"] == 15 and audit.user_id == world.users["commune1"]

    ok = client.form(url, meeting(world, hamlet_id=world.units["H1b"], attendance="30",
                                  agreeing="20", front_supervised=""), htmx=True)
    assert "Thôn Đông 30 20 66,67 Không Thông qua" in page_text(ok)
    page = page_text(client.get(f"/reviews/rounds/{round_.id}"))
    assert "Thôn cần rà soát lại Thôn C1" in page

    # Re-surveyed and met again: the hamlet is judged on its latest meeting.
    client.form(url, meeting(world, held_on="20/11/2024", agreeing="30"), htmx=True)
    page = page_text(client.get(f"/reviews/rounds/{round_.id}"))
    assert "Thôn cần rà soát lại Không có" in page
    assert page.count("Cần rà soát lại") == 1   # the first meeting's row keeps its flag


def test_exactly_half_fails(login_as, world, db):
    """The meeting passes only with MORE than 50 % agreement (QĐ 24/2021)."""
    round_ = _open_round(db, world)
    client = login_as("commune1")
    client.form(f"/reviews/rounds/{round_.id}/meetings", meeting(world, attendance="40", agreeing="20"))
    assert db.session.scalar(select(HamletMeeting)).needs_resurvey
    client.form(f"/reviews/rounds/{round_.id}/meetings",
                meeting(world, held_on="11/11/2024", attendance="41", agreeing="21"))
    assert not db.session.scalar(select(HamletMeeting).where(HamletMeeting.attendance == 41)).needs_resurvey


@pytest.mark.parametrize("changes,message", [
    ({"agreeing": "41"}, "Số người đồng ý không được lớn hơn số người dự."),
    ({"held_on": "01/01/2099"}, "Ngày không được ở tương lai."),
    ({"held_on": ""}, "Không được để trống."),
    ({"held_on": "32/13/2024"}, "Ngày không hợp lệ"),
    ({"attendance": ""}, "Không được để trống."),
    ({"attendance": "0"}, "Số người dự phải lớn hơn 0."),
    ({"agreeing": ""}, "Không được để trống."),
    ({"agreeing": "-1"}, "Không được âm."),
    ({"agreeing": "mười"}, "Phải là số nguyên."),
    ({"hamlet_id": ""}, "Không được để trống."),
])
def test_bad_meeting_is_refused_in_place(login_as, world, db, changes, message):
    round_ = _open_round(db, world)
    response = login_as("commune1").form(f"/reviews/rounds/{round_.id}/meetings",
                                         meeting(world, **changes), htmx=True)
    assert response.status_code == 422
    assert response.get_data(as_text=True).lstrip().startswith('<div id="meeting-form"')
    assert message in page_text(response)
    assert _count(db, HamletMeeting) == 0


def test_bad_meeting_without_htmx_shows_the_round_page(login_as, world, db):
    round_ = _open_round(db, world)
    response = login_as("commune1").form(f"/reviews/rounds/{round_.id}/meetings",
                                         meeting(world, agreeing="99"))
    assert response.status_code == 422
    text = page_text(response)
    assert "Đợt rà soát năm 2024" in text and "không được lớn hơn số người dự" in text


@pytest.mark.parametrize("hamlet", ["H2", "H3", "C1", "D1"])
def test_hamlet_of_another_commune_smuggled_into_meeting(login_as, world, db, hamlet):
    round_ = _open_round(db, world)
    response = login_as("commune1").form(f"/reviews/rounds/{round_.id}/meetings",
                                         meeting(world, hamlet_id=world.units[hamlet]), htmx=True)
    assert response.status_code in (404, 422)
    assert _count(db, HamletMeeting) == 0


def test_meeting_form_offers_only_the_rounds_hamlets(login_as, world, db):
    round_ = _open_round(db, world)
    html = login_as("commune1").get(f"/reviews/rounds/{round_.id}").get_data(as_text=True)
    form = html[html.index('id="meeting-form"'):]
    options = set(re.findall(r'<option value="(\d+)"', form[:form.index("</select>")]))
    assert options == {str(world.units["H1"]), str(world.units["H1b"])}


# Scope -----------------------------------------------------------------------------------

@pytest.mark.parametrize("username,readable", [
    ("commune1", {"C1"}), ("commune3", {"C3"}), ("district1", {"C1", "C2"}),
    ("province1", {"C1", "C2", "C3", "C4"}), ("massorg1", {"C1"}),
])
def test_rounds_are_read_within_scope(login_as, world, db, username, readable):
    rounds = {c: _open_round(db, world, c) for c in ("C1", "C2", "C3", "C4", "C5")}
    client = login_as(username)
    for commune, round_ in rounds.items():
        for path in ("", "/pending", "/meetings", "/requests"):
            status = client.get(f"/reviews/rounds/{round_.id}{path}").status_code
            assert status == (200 if commune in readable else 404), (commune, path)
    listing = page_text(client.get("/reviews/rounds/"))
    for commune, round_ in rounds.items():
        name = db.session.get(AdminUnit, round_.commune_id).name
        assert (name in listing) == (commune in readable), commune


def test_other_commune_officer_cannot_write_to_a_round(login_as, world, db):
    round_ = _open_round(db, world, "C1")
    client = login_as("commune3")
    assert client.get(f"/reviews/rounds/{round_.id}").status_code == 404
    assert client.form(f"/reviews/rounds/{round_.id}/meetings",
                       meeting(world), htmx=True).status_code == 404
    assert client.form(f"/reviews/rounds/{round_.id}/requests",
                       {"household_code": "HH-C1", "requested_on": "05/03/2024",
                        "reason": "Đề nghị"}, htmx=True).status_code == 404
    assert _count(db, HamletMeeting) == 0 and _count(db, ReviewRequest) == 0


def test_other_district_officer_gets_404(login_as, world, db):
    round_ = _open_round(db, world, "C3")
    assert login_as("district1").get(f"/reviews/rounds/{round_.id}").status_code == 404


def test_mass_org_reads_but_cannot_write(login_as, world, db):
    round_ = _open_round(db, world, "C1")
    client = login_as("massorg1")
    page = client.get(f"/reviews/rounds/{round_.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="meeting-form"' not in html and 'id="request-form"' not in html
    assert client.form(f"/reviews/rounds/{round_.id}/meetings", meeting(world)).status_code == 403
    assert client.form(f"/reviews/rounds/{round_.id}/requests",
                       {"household_code": "HH-C1", "requested_on": "05/03/2024",
                        "reason": "Đề nghị"}).status_code == 403
    assert _count(db, HamletMeeting) == 0 and _count(db, ReviewRequest) == 0


def test_nav_link(login_as):
    html = login_as("massorg1").get("/households/").get_data(as_text=True)
    assert 'href="/reviews/rounds/"' in html and ">Rà soát</a>" in html


def test_commune_officer_without_unit_sees_nothing_and_cannot_open(login_as, world, db):
    _open_round(db, world, "C1")
    client = login_as("nounit")
    assert "Xã Một" not in page_text(client.get("/reviews/rounds/"))
    assert client.form("/reviews/rounds/", {"year": "2024"}).status_code == 403
    assert _count(db, ReviewRound) == 1
