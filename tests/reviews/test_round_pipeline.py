"""A review round carried through every step over HTTP — survey, hamlet meeting (more than
50 %), public posting with complaints, the commune's one decision applied to many households —
and what blocks it: a failed meeting, exactly 50 %, an open complaint, a posting not over, a
review edited by someone else meanwhile (409 for that household, the rest applied), a re-run
(applies nothing twice). Then supervision and scope."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.core.units import AdminUnit
from app.households import services as household_services
from app.households.models import Household
from app.reviews import round_services
from app.reviews.models import Review
from app.reviews.round_models import DecisionHousehold, PostingComplaint, RoundDecision, RoundPosting
from app.reviews.services import ReviewInput, save_review
from tests.conftest import page_text

YEAR = 2024
POOR = (1_200_000, ["employment", "water", "latrine"])
NEAR_POOR = (1_200_000, [])


def _survey(hh, income_indicators=POOR, review=None, version=None, review_date=date(YEAR, 10, 1)):
    """The round's phiếu B for `hh`, without a decision (that comes with the round's)."""
    income, indicators = income_indicators
    return save_review(hh, ReviewInput(
        year=YEAR, review_type="periodic", review_date=review_date, income_per_capita=income,
        score_a=None, indicator_codes=indicators, cause_codes=[], has_labour=True,
        policy_group=None, needs="", decision_number=None, decision_date=None,
        decided_status=None, override_reason=None), None, review=review, version=version)


def _household(db, world, code, hamlet):
    hh = household_services.create_household(
        {"code": code, "head_name": f"Chủ hộ {code}", "address": "", "policy_group": None},
        db.session.get(AdminUnit, world.units[hamlet]), head={"sex": "M", "birth_year": 1970})
    db.session.flush()
    save_review(hh, ReviewInput(
        year=YEAR - 1, review_type="periodic", review_date=date(YEAR - 1, 10, 1),
        income_per_capita=POOR[0], score_a=None, indicator_codes=POOR[1], cause_codes=[],
        has_labour=True, policy_group=None, needs="", decision_number="9/QĐ-UBND",
        decision_date=date(YEAR - 1, 12, 1), decided_status="poor", override_reason=None), None)
    return hh


@pytest.fixture
def surveyed(db, world):
    """C1's round of 2024: HH-C1, A, B in Thôn C1 and D in Thôn Đông, all surveyed."""
    round_ = round_services.create_round(db.session.get(AdminUnit, world.units["C1"]), YEAR)
    households = {"C1": db.session.get(Household, world.households["C1"])}
    for code, hamlet in (("A", "H1"), ("B", "H1"), ("D", "H1b")):
        households[code] = _household(db, world, f"HH-{code}", hamlet)
    for code, hh in households.items():
        _survey(hh, NEAR_POOR if code == "B" else POOR)
    db.session.commit()
    return round_, households


def meeting(world, hamlet="H1", attendance="40", agreeing="30", held_on="10/11/2024"):
    return {"hamlet_id": world.units[hamlet], "held_on": held_on, "attendance": attendance,
            "agreeing": agreeing, "front_supervised": "y", "note": ""}


def posting(world, hamlet="H1", posted_from="12/11/2024", posted_to="19/11/2024"):
    return {"hamlet_id": world.units[hamlet], "place": "Nhà văn hóa thôn", "posted_from": posted_from,
            "posted_to": posted_to, "front_supervised": "y", "note": ""}


def decision(number="45/QĐ-UBND", decided_on="01/12/2024", list_year="2025"):
    return {"number": number, "decided_on": decided_on, "list_year": list_year, "note": ""}


def choices(households, versions, **exceptions):
    """The apply form as the page posts it: every listed household with its review version."""
    data = {"household": [str(hh.id) for hh in households]}
    for hh in households:
        data[f"version-{hh.id}"] = str(versions[hh.id])
    for key, value in exceptions.items():
        data[key] = value
    return data


def listed_versions(response) -> dict[int, int]:
    html = response.get_data(as_text=True)
    return {int(h): int(v) for h, v in re.findall(r'name="version-(\d+)" value="(\d+)"', html)}


def _row(db, hh):
    return db.session.scalar(select(DecisionHousehold).where(DecisionHousehold.household_id == hh.id))


def _to_posting(client, url, world):
    assert client.form(url + "/meetings", meeting(world), htmx=True).status_code == 200
    response = client.form(url + "/postings", posting(world), htmx=True)
    assert response.status_code == 200, page_text(response)
    return response


def test_round_through_every_step(login_as, world, db, surveyed):
    round_, hh = surveyed
    client = login_as("commune1")
    url = f"/reviews/rounds/{round_.id}"
    text = page_text(client.get(url))
    assert "Các bước của đợt rà soát" in text
    assert "Thôn C1 3 3 0 0 0" in text and "Chưa họp thôn: 3 hộ" in text

    # Hamlet meetings: Thôn C1 passes (75 %), Thôn Đông fails at exactly 50 %.
    response = client.form(url + "/meetings", meeting(world), htmx=True)
    assert 'id="round-pipeline" class="card" hx-swap-oob="true"' in response.get_data(as_text=True)
    client.form(url + "/meetings", meeting(world, "H1b", attendance="40", agreeing="20"), htmx=True)
    text = page_text(client.get(url + "/pipeline", headers={"HX-Request": "true"}))
    assert "Thôn C1 3 3 3 0 0" in text
    assert "Thôn Đông 1 0 0 0 0" in text   # back to survey
    assert "Họp thôn không đạt (không quá nửa số người dự đồng ý): rà soát lại: 1 hộ" in text

    # Public posting: only after a meeting that passed.
    refused = client.form(url + "/postings", posting(world, "H1b"), htmx=True)
    assert refused.status_code == 422 and "chưa thể niêm yết" in page_text(refused)
    assert refused.headers["HX-Retarget"] == "#postings"
    response = client.form(url + "/postings", posting(world), htmx=True)
    assert response.status_code == 200
    assert response.get_data(as_text=True).lstrip().startswith('<section id="postings"')
    posting_row = db.session.scalar(select(RoundPosting))
    assert (posting_row.place, posting_row.posted_from, posting_row.front_supervised) == (
        "Nhà văn hóa thôn", date(2024, 11, 12), True)

    # A complaint during the posting holds the hamlet until it is resolved.
    prefix = f"posting{posting_row.id}-"
    client.form(f"{url}/postings/{posting_row.id}/complaints",
                {prefix + "received_on": "14/11/2024", prefix + "complainant": "Ông Lê Văn Tư",
                 prefix + "content": "Hộ HH-B có xe máy mới"}, htmx=True)
    text = page_text(client.get(url))
    assert "Còn khiếu nại chưa giải quyết: 3 hộ" in text and "Thôn C1 3 3 3 0 0" in text

    # The decision, once for the round.
    assert client.form(url + "/decision", decision(list_year="2024"), htmx=True).status_code == 422
    response = client.form(url + "/decision", decision(), htmx=True)
    assert response.status_code == 200 and response.headers["HX-Retarget"] == "#decision"
    assert client.form(url + "/decision", decision("46/QĐ-UBND"), htmx=True).status_code == 422
    assert db.session.scalar(select(func.count()).select_from(RoundDecision)) == 1
    assert "Hộ đủ điều kiện áp dụng quyết định" not in page_text(client.get(url + "/decision"))

    complaint = db.session.scalar(select(PostingComplaint))
    prefix = f"complaint{complaint.id}-"
    client.form(f"{url}/complaints/{complaint.id}/resolve",
                {prefix + "resolved_on": "18/11/2024",
                 prefix + "resolution": "Đã xác minh: xe mua trả góp, thu nhập không đổi"}, htmx=True)
    page = client.get(url + "/decision", headers={"HX-Request": "true"})
    assert "Hộ đủ điều kiện áp dụng quyết định (3)" in page_text(page)
    html = page.get_data(as_text=True)
    assert 'data-confirm="Áp dụng quyết định số 45/QĐ-UBND cho 3 hộ?"' in html
    versions = listed_versions(page)
    assert set(versions) == {hh["C1"].id, hh["A"].id, hh["B"].id}

    # Apply: HH-C1 decided near-poor against the computed poor (with a reason), HH-A excluded.
    form = choices([hh["C1"], hh["A"], hh["B"]], versions, **{
        f"status-{hh['C1'].id}": "near_poor", f"reason-{hh['C1'].id}": "Có việc làm ổn định từ 10/2024",
        f"exclude-{hh['A'].id}": "y", f"reason-{hh['A'].id}": "Hộ chuyển đi nơi khác"})
    response = client.form(url + "/decision/apply", form, htmx=True)
    assert response.status_code == 200
    assert "Đã áp dụng cho 2 hộ; không đưa vào 1 hộ; 0 hộ đã áp dụng từ trước." in page_text(response)
    assert 'id="round-pipeline" class="card" hx-swap-oob="true"' in response.get_data(as_text=True)
    db.session.expire_all()
    c1 = db.session.scalar(select(Review).where(Review.household_id == hh["C1"].id, Review.year == YEAR))
    assert (c1.decided_status, c1.decision_number, c1.decision_date, c1.transition) == (
        "near_poor", "45/QĐ-UBND", date(2024, 12, 1), "escaped")
    assert c1.override_reason == "Có việc làm ổn định từ 10/2024"
    b = db.session.scalar(select(Review).where(Review.household_id == hh["B"].id, Review.year == YEAR))
    assert (b.decided_status, b.override_reason, b.transition) == ("near_poor", None, "escaped")
    assert db.session.get(Household, hh["C1"].id).status == "near_poor"
    assert db.session.get(Household, hh["B"].id).status_year == YEAR
    a = db.session.scalar(select(Review).where(Review.household_id == hh["A"].id, Review.year == YEAR))
    assert a.decided_status is None and db.session.get(Household, hh["A"].id).status_year == YEAR - 1
    assert _row(db, hh["A"]).outcome == "excluded" and _row(db, hh["A"]).reason == "Hộ chuyển đi nơi khác"
    assert _row(db, hh["C1"]).decided_status == "near_poor"
    assert _row(db, hh["D"]) is None   # Thôn Đông's meeting failed
    text = page_text(client.get(url))
    assert "Thôn C1 3 3 3 3 2" in text

    # Re-run with the same page: nothing applied twice.
    again = client.form(url + "/decision/apply", form, htmx=True)
    assert "Đã áp dụng cho 0 hộ" in page_text(again) and "2 hộ đã áp dụng từ trước" in page_text(again)
    assert db.session.scalar(select(func.count()).select_from(DecisionHousehold)) == 3
    db.session.expire_all()
    assert db.session.get(Review, c1.id).version == c1.version


def _ready(login_as, world, db, surveyed):
    """Meeting, posting and decision done for Thôn C1: its three households are ready."""
    round_, hh = surveyed
    client = login_as("commune1")
    url = f"/reviews/rounds/{round_.id}"
    _to_posting(client, url, world)
    client.form(url + "/decision", decision(), htmx=True)
    return client, url, hh


def test_edited_meanwhile_is_reported_and_the_rest_applied(login_as, world, db, surveyed):
    client, url, hh = _ready(login_as, world, db, surveyed)
    versions = listed_versions(client.get(url + "/decision"))
    # Someone re-enters HH-A's phiếu B after the page was shown.
    review_a = db.session.scalar(select(Review).where(Review.household_id == hh["A"].id, Review.year == YEAR))
    _survey(hh["A"], NEAR_POOR, review=review_a, version=review_a.version,
            review_date=date(YEAR, 10, 2))
    db.session.commit()
    response = client.form(url + "/decision/apply",
                           choices([hh["C1"], hh["A"], hh["B"]], versions), htmx=True)
    assert response.status_code == 409
    text = page_text(response)
    assert "1 hộ chưa được áp dụng vì kết quả rà soát vừa được người khác sửa (409)" in text
    assert "409 · HH-A" in text and "Đã áp dụng cho 2 hộ" in text
    db.session.expire_all()
    review_a = db.session.get(Review, review_a.id)
    assert review_a.decided_status is None and review_a.computed_status == "near_poor"
    assert _row(db, hh["A"]) is None
    assert {r.household_id for r in db.session.scalars(select(DecisionHousehold))} == {
        hh["C1"].id, hh["B"].id}
    # Reloaded, HH-A is listed again with its new version and applies.
    versions = listed_versions(client.get(url + "/decision"))
    assert set(versions) == {hh["A"].id}
    assert client.form(url + "/decision/apply", choices([hh["A"]], versions),
                       htmx=True).status_code == 200
    assert _row(db, hh["A"]).decided_status == "near_poor"


@pytest.mark.parametrize("blocker", ["exactly_half", "failed", "open_complaint", "posting_not_over"])
def test_decision_blocked(login_as, world, db, surveyed, blocker):
    round_, hh = surveyed
    client = login_as("commune1")
    url = f"/reviews/rounds/{round_.id}"
    agreeing = {"exactly_half": "20", "failed": "12"}.get(blocker, "30")
    client.form(url + "/meetings", meeting(world, agreeing=agreeing), htmx=True)
    ends = (clock.today() + timedelta(days=3)).strftime("%d/%m/%Y") if blocker == "posting_not_over" \
        else "19/11/2024"
    response = client.form(url + "/postings", posting(world, posted_to=ends), htmx=True)
    assert response.status_code == (422 if blocker in ("exactly_half", "failed") else 200)
    if blocker == "open_complaint":
        posting_row = db.session.scalar(select(RoundPosting))
        prefix = f"posting{posting_row.id}-"
        client.form(f"{url}/postings/{posting_row.id}/complaints",
                    {prefix + "received_on": "13/11/2024", prefix + "complainant": "Bà Năm",
                     prefix + "content": "Chưa đồng ý với kết quả"}, htmx=True)
    client.form(url + "/decision", decision(decided_on=clock.today().strftime("%d/%m/%Y")), htmx=True)
    page = client.get(url + "/decision")
    assert listed_versions(page) == {}
    text = page_text(client.get(url))
    expected = {"exactly_half": "rà soát lại: 3 hộ", "failed": "rà soát lại: 3 hộ",
                "open_complaint": "Còn khiếu nại chưa giải quyết: 3 hộ",
                "posting_not_over": "Đang niêm yết, chưa hết thời hạn: 3 hộ"}[blocker]
    assert expected in text
    # A page posted anyway (stale or forged) applies nothing and says why.
    response = client.form(url + "/decision/apply", choices([hh["C1"]], {hh["C1"].id: 1}), htmx=True)
    assert "Đã áp dụng cho 0 hộ" in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(DecisionHousehold)) == 0
    assert db.session.scalar(select(Review.decided_status).where(
        Review.household_id == hh["C1"].id, Review.year == YEAR)) is None


@pytest.mark.parametrize("exception,message", [
    ({"status-{id}": "near_poor"}, "Phân loại khác kết quả tính theo chuẩn: cần ghi lý do."),
    ({"exclude-{id}": "y"}, "Cần ghi lý do không đưa hộ vào quyết định."),
    ({"status-{id}": "rich"}, "Phân loại không hợp lệ."),
])
def test_bad_exception_is_refused_whole(login_as, world, db, surveyed, exception, message):
    client, url, hh = _ready(login_as, world, db, surveyed)
    versions = listed_versions(client.get(url + "/decision"))
    form = choices([hh["C1"], hh["B"]], versions,
                   **{k.format(id=hh["C1"].id): v for k, v in exception.items()})
    response = client.form(url + "/decision/apply", form, htmx=True)
    assert response.status_code == 422 and message in page_text(response)
    assert response.headers["HX-Retarget"] == "#decision"
    assert db.session.scalar(select(func.count()).select_from(DecisionHousehold)) == 0


def test_bad_posting_and_decision_inputs(login_as, world, db, surveyed):
    round_, _hh = surveyed
    client = login_as("commune1")
    url = f"/reviews/rounds/{round_.id}"
    client.form(url + "/meetings", meeting(world), htmx=True)
    for changes, text in (({"posted_from": "09/11/2024"}, "không được trước ngày họp thôn (10/11/2024)"),
                          ({"posted_to": "11/11/2024"}, "Ngày kết thúc niêm yết phải từ ngày bắt đầu"),
                          ({"place": ""}, "Không được để trống."),
                          ({"posted_from": "32/11/2024"}, "Ngày không hợp lệ")):
        response = client.form(url + "/postings", {**posting(world), **changes}, htmx=True)
        assert response.status_code == 422 and text in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(RoundPosting)) == 0
    response = client.form(url + "/decision", decision(list_year="2024"), htmx=True)
    assert "Đợt rà soát năm 2024 xác định danh sách năm 2025." in page_text(response)
    response = client.form(url + "/decision/apply", {"household": "1"}, htmx=True)
    assert response.status_code == 422 and "Chưa ghi quyết định của UBND xã." in page_text(response)


# Supervision and scope -------------------------------------------------------------------

def test_district_follows_every_commune_and_late_ones_are_marked(login_as, world, db, surveyed):
    client, url, _hh = _ready(login_as, world, db, surveyed)
    client.post("/logout", data={"csrf_token": client.csrf()})
    client = login_as("district1")
    response = client.get("/reviews/rounds/progress?year=2024")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = page_text(response)
    # Xã Một: 4 to review, 4 surveyed, 3 met, 3 posted, none decided; late (after 14/12/2024).
    assert "Xã Một 4 4 3 3 0 0 0 Quá hạn" in text
    assert f'id="supervision-{world.units["C2"]}" class="late"' in html and "Chưa mở đợt rà soát" in text
    assert "Xã Ba" not in text   # another district
    assert f'href="{url}"' in html   # drill into the commune
    assert client.get(url).status_code == 200
    assert client.get(url + "/pipeline").status_code == 200


def test_front_sees_what_it_supervised_read_only(login_as, world, db, surveyed):
    client, url, hh = _ready(login_as, world, db, surveyed)
    client.post("/logout", data={"csrf_token": client.csrf()})
    client = login_as("massorg1")
    text = page_text(client.get("/reviews/rounds/supervised?year=2024"))
    assert "10/11/2024 Xã Một Thôn C1 40 30 75,00 Thông qua" in text
    assert "Xã Một · Thôn C1: 12/11/2024 – 19/11/2024" in text
    page = client.get(url)
    assert "Áp dụng quyết định" not in page_text(page) and 'name="household"' not in page.get_data(as_text=True)
    assert client.form(url + "/decision/apply", choices([hh["C1"]], {hh["C1"].id: 1})).status_code == 403
    assert client.form(url + "/postings", posting(world)).status_code == 403


def test_objects_of_another_commune_are_404_under_ones_own_round(login_as, world, db, surveyed):
    """Another commune's posting or complaint named under one's own round, and another
    commune's round (its postings, decision), are not found."""
    round_, hh = surveyed
    other = round_services.create_round(db.session.get(AdminUnit, world.units["C3"]), YEAR)
    db.session.flush()
    foreign = RoundPosting(round_id=other.id, hamlet_id=world.units["H3"], place="UBND xã",
                           posted_from=date(2024, 11, 12), posted_to=date(2024, 11, 19))
    db.session.add(foreign)
    db.session.flush()
    complaint = PostingComplaint(posting_id=foreign.id, received_on=date(2024, 11, 13),
                                 complainant="X", content="Y")
    db.session.add(complaint)
    db.session.add(RoundDecision(round_id=other.id, number="1/QĐ", decided_on=date(2024, 12, 1),
                                 list_year=2025))
    db.session.commit()
    client = login_as("commune1")
    mine = f"/reviews/rounds/{round_.id}"
    assert client.form(f"{mine}/postings/{foreign.id}/complaints",
                       {f"posting{foreign.id}-received_on": "13/11/2024",
                        f"posting{foreign.id}-complainant": "Z",
                        f"posting{foreign.id}-content": "W"}).status_code == 404
    assert client.form(f"{mine}/complaints/{complaint.id}/resolve",
                       {f"complaint{complaint.id}-resolved_on": "14/11/2024",
                        f"complaint{complaint.id}-resolution": "Xong"}).status_code == 404
    theirs = f"/reviews/rounds/{other.id}"
    for path in ("", "/pipeline", "/postings", "/decision"):
        assert client.get(theirs + path).status_code == 404
    assert client.form(theirs + "/decision/apply", choices([hh["C1"]], {hh["C1"].id: 1})).status_code == 404
    # A household of another commune smuggled into one's own apply form is ignored.
    client.form(mine + "/meetings", meeting(world), htmx=True)
    client.form(mine + "/postings", posting(world), htmx=True)
    client.form(mine + "/decision", decision(), htmx=True)
    stranger = world.households["C3"]
    response = client.form(mine + "/decision/apply", {"household": str(stranger), f"version-{stranger}": "1"})
    assert "Đã áp dụng cho 0 hộ" in page_text(response)
    db.session.expire_all()
    assert db.session.get(PostingComplaint, complaint.id).resolved_on is None
    assert db.session.scalar(select(func.count()).select_from(PostingComplaint)) == 1
    assert db.session.scalar(select(func.count()).select_from(DecisionHousehold)) == 0
