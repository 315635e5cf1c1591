"""Exit proposals through HTTP: propose → decide writes that year's review and the household's
path; withdraw; every refusal (rule, validation, scope, role, stale) changes nothing."""
from datetime import date

import pytest
from sqlalchemy import func, select

from app.core.audit import AuditLog
from app.core.users import User
from app.households.models import Household
from app.reviews import exits
from app.reviews import services as review_services
from app.reviews.models import ExitProposal, Review
from tests.conftest import page_text

EVIDENCE = "Thu nhập bình quân 2.600.000 đ/người/tháng nhờ nuôi bò sinh sản; đã có BHYT."


@pytest.fixture
def officer(login_as):
    return login_as("commune1")


@pytest.fixture
def household(db, world):
    return db.session.get(Household, world.households["C1"])


def add_review(db, household, year, decided=None, income=1_200_000, reason="Theo họp thôn"):
    """A review of `year` (computed poor with these inputs), decided as `decided` if given."""
    review_services.save_review(household, review_services.ReviewInput(
        year=year, review_type="periodic", review_date=date(year, 10, 1),
        income_per_capita=income, score_a=None, indicator_codes=["employment", "water", "latrine"],
        cause_codes=["no_capital"], has_labour=True, policy_group="poverty_policy", needs="",
        decision_number="9/QĐ-UBND" if decided else None,
        decision_date=date(year, 12, 1) if decided else None, decided_status=decided,
        override_reason=reason if decided else None), None)
    db.session.commit()


def propose(client, household_id, htmx=True, **changes):
    data = {"year": "2024", "to_status": "near_poor", "evidence": EVIDENCE, "note": "Hộ tự nguyện"}
    data.update(changes)
    return client.form(f"/reviews/exits/propose/{household_id}", data, htmx=htmx)


def proposals(db, household_id):
    db.session.expire_all()
    return db.session.scalars(select(ExitProposal).where(ExitProposal.household_id == household_id)
                              .order_by(ExitProposal.id)).all()


def audit_count(db, entity):
    return db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.entity == entity))


def test_propose_then_decide_updates_review_and_path(officer, household, db):
    response = propose(officer, household.id)
    assert response.status_code == 200
    assert response.get_data(as_text=True).lstrip().startswith('<section id="exit-panel"')
    [proposal] = proposals(db, household.id)
    assert (proposal.state, proposal.from_status, proposal.to_status, proposal.year) == \
        ("proposed", "poor", "near_poor", 2024)
    assert proposal.commune_id == household.commune_id and proposal.evidence == EVIDENCE
    assert "Đang đề nghị" in page_text(response) and "Ghi quyết định" in page_text(response)

    add_review(db, household, 2024)          # the 2024 review: computed poor, not yet decided
    reviews_audited = audit_count(db, "review")
    response = officer.form(f"/reviews/exits/{proposal.id}/decide",
                            {"decision_number": "88/QĐ-UBND", "decision_date": "20/12/2024",
                             "version": proposal.version}, htmx=True)
    # The page's summary (and header) and timeline listen for this to reload themselves.
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "exits-changed"
    assert "Đã quyết định" in page_text(response) and "88/QĐ-UBND" in page_text(response)

    db.session.expire_all()
    review = db.session.scalar(select(Review).where(Review.household_id == household.id,
                                                    Review.year == 2024))
    assert (review.decided_status, review.decision_number, review.decision_date) == \
        ("near_poor", "88/QĐ-UBND", date(2024, 12, 20))
    assert review.computed_status == "poor"
    assert review.override_reason.startswith("Theo đề nghị thoát nghèo: Thu nhập bình quân")
    assert review.transition == "escaped"
    saved = db.session.get(Household, household.id)
    assert (saved.status, saved.status_year, saved.last_transition) == ("near_poor", 2024, "escaped")
    assert db.session.get(ExitProposal, proposal.id).state == "decided"
    assert audit_count(db, "review") == reviews_audited + 1
    actions = db.session.scalars(select(AuditLog.action).where(
        AuditLog.entity == "exit_proposal", AuditLog.entity_id == proposal.id)
        .order_by(AuditLog.id)).all()
    assert actions == ["create", "decide"]
    # The case file's timeline (its own panel) shows the path the decision made.
    text = page_text(officer.htmx_get(f"/households/{household.id}/reviews/"))
    assert "2023: Hộ nghèo" in text and "2024: Hộ cận nghèo" in text


def test_decide_out_of_the_lists_sets_exit_year(officer, household, db):
    propose(officer, household.id, to_status="not_poor")
    add_review(db, household, 2024, decided="poor", reason=None)   # decided poor at first
    proposal = proposals(db, household.id)[0]
    response = officer.form(f"/reviews/exits/{proposal.id}/decide",
                            {"decision_number": "90/QĐ-UBND", "decision_date": "28/12/2024",
                             "version": proposal.version})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/households/{household.id}#exit-panel")
    db.session.expire_all()
    saved = db.session.get(Household, household.id)
    assert (saved.status, saved.exit_year, saved.last_transition) == ("not_poor", 2024, "escaped")


def test_no_override_reason_when_decision_matches_the_rule(officer, household, db):
    propose(officer, household.id, to_status="middle")
    add_review(db, household, 2024, income=1_600_000)    # above the line: computed middle
    proposal = proposals(db, household.id)[0]
    response = officer.form(f"/reviews/exits/{proposal.id}/decide", {
        "decision_number": "91/QĐ-UBND", "decision_date": "28/12/2024", "version": proposal.version},
        htmx=True)
    assert response.status_code == 200
    db.session.expire_all()
    review = db.session.scalar(select(Review).where(Review.year == 2024,
                                                    Review.household_id == household.id))
    assert (review.computed_status, review.decided_status) == ("middle", "middle")
    assert review.override_reason is None


def test_plain_post_redirects_to_case_file(officer, household, db):
    response = propose(officer, household.id, htmx=False)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/households/{household.id}#exit-panel")
    assert len(proposals(db, household.id)) == 1


def test_withdraw_with_reason_then_propose_again(officer, household, db):
    propose(officer, household.id)
    proposal = proposals(db, household.id)[0]
    url = f"/reviews/exits/{proposal.id}/withdraw"
    refused = officer.form(url, {"reason": "", "version": proposal.version}, htmx=True)
    assert refused.status_code == 422 and "Không được để trống" in page_text(refused)
    assert proposals(db, household.id)[0].state == "proposed"

    response = officer.form(url, {"reason": "Hộ có người ốm nặng, thu nhập giảm",
                                  "version": proposal.version}, htmx=True)
    assert response.status_code == 200 and "Đã rút" in page_text(response)
    proposal = proposals(db, household.id)[0]
    assert proposal.state == "withdrawn" and "Hộ có người ốm nặng" in proposal.note
    assert proposal.note.startswith("Hộ tự nguyện")
    withdrawn = db.session.scalar(select(AuditLog).where(AuditLog.entity == "exit_proposal",
                                                        AuditLog.action == "withdraw"))
    assert withdrawn.after["reason"] == "Hộ có người ốm nặng, thu nhập giảm"
    # A withdrawn proposal no longer blocks a new one.
    assert propose(officer, household.id).status_code == 200
    assert [p.state for p in proposals(db, household.id)] == ["withdrawn", "proposed"]


def test_household_not_poor_is_refused(officer, household, db):
    add_review(db, household, 2024, decided="middle")
    before = audit_count(db, "exit_proposal")
    response = propose(officer, household.id, year="2025")
    assert response.status_code == 422
    assert "không thuộc danh sách hộ nghèo hoặc cận nghèo" in page_text(response)
    assert proposals(db, household.id) == [] and audit_count(db, "exit_proposal") == before


def test_one_open_proposal_per_household(officer, household, db):
    assert propose(officer, household.id).status_code == 200
    response = propose(officer, household.id, to_status="not_poor")
    assert response.status_code == 422 and "đang chờ quyết định" in page_text(response)
    assert len(proposals(db, household.id)) == 1


@pytest.mark.parametrize("changes,message", [
    ({"evidence": "ngắn"}, "Căn cứ từ 10 đến 4000 ký tự."),
    ({"year": "2022"}, "không được trước năm của quyết định gần nhất (2023)"),
    ({"year": "năm nay"}, "Phải là số nguyên."),
    ({"to_status": "poor"}, "Lựa chọn không hợp lệ."),
])
def test_bad_proposal_is_refused_in_place(officer, household, db, changes, message):
    response = propose(officer, household.id, **changes)
    assert response.status_code == 422 and message in page_text(response)
    assert response.get_data(as_text=True).lstrip().startswith('<section id="exit-panel"')
    assert proposals(db, household.id) == []


def test_decide_needs_the_review_of_that_year(officer, household, db):
    propose(officer, household.id)
    proposal = proposals(db, household.id)[0]
    response = officer.form(f"/reviews/exits/{proposal.id}/decide",
                            {"decision_number": "88/QĐ-UBND", "decision_date": "20/12/2024",
                             "version": proposal.version}, htmx=True)
    assert response.status_code == 422
    assert "Cần nhập kết quả rà soát năm 2024 trước khi ghi quyết định" in page_text(response)
    proposal = proposals(db, household.id)[0]
    assert (proposal.state, proposal.version, proposal.decision_number) == ("proposed", 1, None)


@pytest.mark.parametrize("data,message", [
    ({"decision_number": "", "decision_date": "20/12/2024"}, "Không được để trống."),
    ({"decision_number": "88/QĐ-UBND", "decision_date": "31/02/2024"}, "Ngày không hợp lệ"),
    ({"decision_number": "88/QĐ-UBND", "decision_date": "01/09/2024"}, "không được trước ngày rà soát"),
])
def test_bad_decision_is_refused(officer, household, db, data, message):
    propose(officer, household.id)
    add_review(db, household, 2024)
    proposal = proposals(db, household.id)[0]
    response = officer.form(f"/reviews/exits/{proposal.id}/decide",
                            dict(data, version=proposal.version), htmx=True)
    assert response.status_code == 422 and message in page_text(response)
    db.session.expire_all()
    review = db.session.scalar(select(Review).where(Review.year == 2024,
                                                    Review.household_id == household.id))
    assert review.decided_status is None and proposals(db, household.id)[0].state == "proposed"


def test_stale_decide_is_a_conflict(login_as, household, db):
    """Two officers had the proposal open; one withdrew it, the other then records a decision."""
    officer = login_as("commune1")
    propose(officer, household.id)
    add_review(db, household, 2024)
    proposal = proposals(db, household.id)[0]
    loaded_version = proposal.version
    officer.form(f"/reviews/exits/{proposal.id}/withdraw",
                 {"reason": "Chờ rà soát lại", "version": loaded_version}, htmx=True)
    response = officer.form(f"/reviews/exits/{proposal.id}/decide",
                            {"decision_number": "88/QĐ-UBND", "decision_date": "20/12/2024",
                             "version": loaded_version}, htmx=True)
    assert response.status_code == 409
    assert "vừa được người khác cập nhật" in page_text(response) and "Đã rút" in page_text(response)
    db.session.expire_all()
    review = db.session.scalar(select(Review).where(Review.year == 2024,
                                                    Review.household_id == household.id))
    assert review.decided_status is None and proposals(db, household.id)[0].state == "withdrawn"


def test_other_commune_is_not_found(officer, world, db):
    other = db.session.get(Household, world.households["C3"])
    assert propose(officer, other.id).status_code == 404
    assert officer.get(f"/reviews/exits/panel/{other.id}").status_code == 404
    commune3 = db.session.scalar(select(User).where(User.username == "commune3"))
    proposal = exits.propose(other, exits.ExitInput(2024, "near_poor", EVIDENCE), commune3)
    db.session.commit()
    for action, data in (("decide", {"decision_number": "1/QĐ", "decision_date": "20/12/2024"}),
                         ("withdraw", {"reason": "Thử rút hộ xã khác"})):
        response = officer.form(f"/reviews/exits/{proposal.id}/{action}",
                                dict(data, version=proposal.version), htmx=True)
        assert response.status_code == 404, action
    assert proposals(db, other.id)[0].state == "proposed"


@pytest.mark.parametrize("username", ["district1", "massorg1"])
def test_readers_cannot_propose_or_decide(login_as, household, db, username):
    client = login_as(username)
    assert propose(client, household.id).status_code == 403
    assert proposals(db, household.id) == []
    commune1 = db.session.scalar(select(User).where(User.username == "commune1"))
    proposal = exits.propose(household, exits.ExitInput(2024, "near_poor", EVIDENCE), commune1)
    db.session.commit()
    for action in ("decide", "withdraw"):
        response = client.form(f"/reviews/exits/{proposal.id}/{action}", {
            "decision_number": "1/QĐ", "decision_date": "20/12/2024", "reason": "x",
            "version": proposal.version}, htmx=True)
        assert response.status_code == 403
    # They read the panel, without any form.
    panel = client.get(f"/reviews/exits/panel/{household.id}")
    assert panel.status_code == 200 and EVIDENCE in page_text(panel)
    assert "Ghi quyết định" not in page_text(panel) and "Gửi đề nghị" not in page_text(panel)


def test_panel_page_and_lazy_include(officer, household, db):
    page = officer.get(f"/reviews/exits/panel/{household.id}")
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    assert "Gửi đề nghị" in page_text(page)
    swap = officer.htmx_get(f"/reviews/exits/panel/{household.id}")
    assert swap.get_data(as_text=True).lstrip().startswith('<section id="exit-panel"')
    assert "HX-Request" in swap.headers["Vary"]
    # The loaded panel reloads itself when a review is saved elsewhere on the page.
    assert 'hx-trigger="reviews-changed from:body"' in swap.get_data(as_text=True)
    # The case file holds a shell that loads the panel (a link to its page without JavaScript).
    html = officer.get(f"/households/{household.id}").get_data(as_text=True)
    shell = html[html.index('<section id="exit-panel"'):]
    shell = shell[:shell.index("</section>")]
    assert 'hx-trigger="load, load-panel"' in shell
    assert f'hx-get="/reviews/exits/panel/{household.id}"' in shell
    assert f'<a href="/reviews/exits/panel/{household.id}">' in shell
    assert "Gửi đề nghị" not in shell


def test_pipeline_is_scoped_and_grouped(login_as, world, db):
    commune1, commune3 = (db.session.scalar(select(User).where(User.username == u))
                          for u in ("commune1", "commune3"))
    hh = {c: db.session.get(Household, world.households[c]) for c in ("C1", "C2", "C3")}
    for c in ("C1", "C2"):
        exits.propose(hh[c], exits.ExitInput(2024, "near_poor", EVIDENCE), commune1)
    exits.propose(hh["C3"], exits.ExitInput(2024, "near_poor", EVIDENCE), commune3)
    # C1 also relapsed: near-poor in 2024, poor again in 2025.
    db.session.commit()
    add_review(db, hh["C1"], 2024, decided="near_poor")
    add_review(db, hh["C1"], 2025, decided="poor", reason=None)
    assert db.session.get(Household, hh["C1"].id).last_transition == "relapsed"

    client = login_as("district1")
    response = client.get("/reviews/exits/")
    assert response.status_code == 200
    html, text = response.get_data(as_text=True), page_text(response)
    assert "HH-C1" in html and "HH-C2" in html and "HH-C3" not in html
    assert "Đang đề nghị: 2" in text and "Tái nghèo: 1" in text and "Đã quyết định thoát: 0" in text
    assert f'/households/{hh["C1"].id}' in html

    c2 = client.htmx_get(f"/reviews/exits/?commune={world.units['C2']}", target="exit-pipeline")
    assert c2.get_data(as_text=True).lstrip().startswith('<div id="exit-pipeline"')
    assert "HH-C2" in c2.get_data(as_text=True) and "HH-C1" not in c2.get_data(as_text=True)
    # A commune outside the area is ignored, never shown.
    smuggled = client.get(f"/reviews/exits/?commune={world.units['C3']}").get_data(as_text=True)
    assert "HH-C3" not in smuggled and "HH-C1" in smuggled
    assert "HH-C" not in client.get("/reviews/exits/?year=2023").get_data(as_text=True)
    # Filters that do not parse are ignored (all years, the whole area), never an error.
    lenient = client.get("/reviews/exits/?year=abc&commune=x")
    assert lenient.status_code == 200 and "Đang đề nghị: 2" in page_text(lenient)

    client.post("/logout", data={"csrf_token": client.csrf()})
    mass = login_as("massorg1").get("/reviews/exits/").get_data(as_text=True)
    assert "HH-C1" in mass and "HH-C2" not in mass and "HH-C3" not in mass
