"""Bulk survey entry for a hamlet through HTTP: a row saved is the review the household's own
form saves; bad input answers 422 with the row's message, a stale row 409; the live
classification; decided rows are not edited here; scope (another commune's round or hamlet:
404); an 80-household hamlet on one page (its render time is printed)."""
import time
from datetime import date

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.core.units import AdminUnit
from app.households import services as household_services
from app.reviews import round_services
from app.reviews.models import Review, ReviewRound
from app.reviews.services import ReviewInput, save_review
from app.reviews.survey_grid import review_date_for
from tests.conftest import page_text

YEAR = 2024
INDICATORS = ["employment", "water", "latrine"]


def _round(db, world, commune="C1") -> ReviewRound:
    round_ = round_services.create_round(db.session.get(AdminUnit, world.units[commune]), YEAR)
    db.session.commit()
    return round_


def _household(db, world, code, hamlet="H1"):
    """A poor household (decided in YEAR - 1), so the round of YEAR covers it."""
    hh = household_services.create_household(
        {"code": code, "head_name": f"Chủ hộ {code}", "address": "", "policy_group": None},
        db.session.get(AdminUnit, world.units[hamlet]), head={"sex": "M", "birth_year": 1970})
    db.session.flush()
    save_review(hh, ReviewInput(
        year=YEAR - 1, review_type="periodic", review_date=date(YEAR - 1, 10, 1),
        income_per_capita=1_200_000, score_a=None, indicator_codes=INDICATORS,
        cause_codes=["no_land"], has_labour=True, policy_group="poverty_policy", needs="",
        decision_number="1/QĐ-UBND", decision_date=date(YEAR - 1, 12, 1), decided_status="poor",
        override_reason=None), None)
    db.session.commit()
    return hh


def _grid_url(round_, hamlet_id=None):
    return f"/reviews/rounds/{round_.id}/survey" + (f"?hamlet={hamlet_id}" if hamlet_id else "")


def _row_data(hh, income="1.200.000", indicators=INDICATORS, causes=("no_capital",),
              version="", score=""):
    p = f"h{hh.id}-"
    return {p + "income_per_capita": income, p + "score_a": score, p + "version": version,
            p + "indicators": list(indicators), p + "causes": list(causes)}


def _save(client, round_, hh, **kw):
    return client.form(f"/reviews/rounds/{round_.id}/survey/{hh.id}", _row_data(hh, **kw),
                       htmx=True, headers={"HX-Target": f"grid-row-{hh.id}"})


def _review(db, hh, year=YEAR):
    db.session.expire_all()
    return db.session.scalar(select(Review).where(Review.household_id == hh.id, Review.year == year))


def _reviews(db):
    return db.session.scalar(select(func.count()).select_from(Review))


def test_grid_lists_the_hamlets_households_of_the_round(login_as, world, db):
    round_ = _round(db, world)
    a, b = _household(db, world, "G-A"), _household(db, world, "G-B", hamlet="H1b")
    client = login_as("commune1")
    chooser = client.get(_grid_url(round_))
    assert chooser.status_code == 200 and "Thôn Đông" in page_text(chooser)
    page = client.get(_grid_url(round_, world.units["H1"]))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'id="grid-row-{a.id}"' in html and f'id="grid-row-{world.households["C1"]}"' in html
    assert f'id="grid-row-{b.id}"' not in html            # another hamlet
    assert f'form="grid-form-{a.id}"' in html and "survey_grid.js" in html
    assert "<script>" not in html                          # CSP: no inline script


def test_a_saved_row_is_the_review_the_household_form_saves(login_as, world, db):
    round_ = _round(db, world)
    by_grid, by_form = _household(db, world, "G-A"), _household(db, world, "G-B")
    client = login_as("commune1")
    response = _save(client, round_, by_grid)
    assert response.status_code == 200, page_text(response)
    assert "Đã lưu" in page_text(response) and f'id="grid-row-{by_grid.id}"' in response.get_data(as_text=True)
    day = review_date_for(round_, clock.today())
    form = client.form(f"/households/{by_form.id}/reviews/new", {
        "year": YEAR, "review_type": "periodic", "review_date": day.strftime("%d/%m/%Y"),
        "income_per_capita": "1.200.000", "indicators": INDICATORS, "causes": ["no_capital"],
        "has_labour": "yes", "policy_group": "poverty_policy", "needs": "", "decision_number": "",
        "decision_date": "", "decided_status": "", "override_reason": ""})
    assert form.status_code == 303, page_text(form)
    grid_review, form_review = _review(db, by_grid), _review(db, by_form)
    fields = ("year", "standard_id", "area", "review_type", "review_date", "income_per_capita",
              "score_a", "score_b", "deprived_dimensions", "computed_status", "has_labour",
              "policy_group", "needs", "decision_number", "decision_date", "decided_status",
              "override_reason", "transition", "version")
    assert {f: getattr(grid_review, f) for f in fields} == {f: getattr(form_review, f) for f in fields}
    assert [i.code for i in grid_review.deprivations] == [i.code for i in form_review.deprivations]
    assert grid_review.cause_codes == form_review.cause_codes == ["no_capital"]
    assert grid_review.computed_status == "poor" and grid_review.created_by_id == world.users["commune1"]

    # The saved row carries the new version: saving it again edits the same review.
    again = _save(client, round_, by_grid, income="2.500.000", version="1")
    assert again.status_code == 200, page_text(again)
    edited = _review(db, by_grid)
    assert (edited.id, edited.version, edited.computed_status) == (grid_review.id, 2, "not_poor")


@pytest.mark.parametrize("data, message", [
    ({"income": "abc"}, "Số tiền không hợp lệ"),
    ({"income": "-5"}, "không được âm"),
    ({"indicators": ["employment", "khong-co"]}, "Chỉ số “khong-co” không thuộc chuẩn nghèo"),
    ({"income": ""}, "Nhập thu nhập bình quân"),
    ({"income": "", "score": "mười"}, "Phải là số nguyên"),
    ({"causes": ["khong-co"]}, "lựa chọn không hợp lệ"),
])
def test_a_bad_row_answers_422_with_its_message(data, message, login_as, world, db):
    round_ = _round(db, world)
    hh = _household(db, world, "G-A")
    client = login_as("commune1")
    before = _reviews(db)
    response = _save(client, round_, hh, **data)
    assert response.status_code == 422
    assert message.lower() in page_text(response).lower()
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<tr id="grid-row-{hh.id}"') and 'role="alert"' in html
    assert _reviews(db) == before


def test_a_stale_row_answers_409_and_keeps_the_newer_review(login_as, world, db):
    round_ = _round(db, world)
    hh = _household(db, world, "G-A")
    client = login_as("commune1")
    assert _save(client, round_, hh).status_code == 200          # version 1
    review = _review(db, hh)
    save_review(hh, ReviewInput(                                    # someone else: version 2
        year=YEAR, review_type="periodic", review_date=review.review_date,
        income_per_capita=900_000, score_a=None, indicator_codes=[], cause_codes=[],
        has_labour=True, policy_group=None, needs="", decision_number=None, decision_date=None,
        decided_status=None, override_reason=None), None, review, review.version)
    db.session.commit()
    response = _save(client, round_, hh, income="3.000.000", version="1")
    assert response.status_code == 409
    text = page_text(response)
    assert "vừa được người khác lưu" in text and "900.000" in text
    assert f'value="2"' in response.get_data(as_text=True)        # the row now on version 2
    kept = _review(db, hh)
    assert (kept.income_per_capita, kept.version) == (900_000, 2)


def test_a_row_shown_as_new_is_stale_once_someone_saved_it(login_as, world, db):
    round_ = _round(db, world)
    hh = _household(db, world, "G-A")
    client = login_as("commune1")
    assert _save(client, round_, hh, income="900.000").status_code == 200
    response = _save(client, round_, hh, income="3.000.000", version="")   # an old page
    assert response.status_code == 409
    assert _review(db, hh).income_per_capita == 900_000


def test_the_classification_is_previewed_as_typed(login_as, world, db):
    round_ = _round(db, world)
    hh = _household(db, world, "G-A")
    client = login_as("commune1")
    url = f"/reviews/rounds/{round_.id}/survey/{hh.id}/preview"
    poor = client.form(url, _row_data(hh), htmx=True)
    assert poor.status_code == 200
    assert poor.get_data(as_text=True).lstrip().startswith(f'<td id="grid-class-{hh.id}"')
    assert "Hộ nghèo" in page_text(poor) and "3 chỉ số" in page_text(poor)
    near = client.form(url, _row_data(hh, indicators=[]), htmx=True)
    assert "Hộ cận nghèo" in page_text(near)
    by_score = client.form(url, _row_data(hh, income="", score="200", indicators=[]), htmx=True)
    assert "Hộ không nghèo" in page_text(by_score) or "trung bình" in page_text(by_score)
    unknown = client.form(url, _row_data(hh, indicators=["khong-co"]), htmx=True)
    assert "không thuộc chuẩn nghèo" in page_text(unknown)
    assert _review(db, hh) is None                                   # nothing written


def test_a_decided_review_is_shown_not_edited(login_as, world, db):
    round_ = _round(db, world)
    hh = _household(db, world, "G-A")
    save_review(hh, ReviewInput(
        year=YEAR, review_type="periodic", review_date=date(YEAR, 10, 1),
        income_per_capita=1_200_000, score_a=None, indicator_codes=INDICATORS, cause_codes=[],
        has_labour=True, policy_group=None, needs="", decision_number="9/QĐ-UBND",
        decision_date=date(YEAR, 12, 1), decided_status="poor", override_reason=None), None)
    db.session.commit()
    client = login_as("commune1")
    page = client.get(_grid_url(round_, world.units["H1"]))
    assert "Đã có quyết định 9/QĐ-UBND" in page_text(page)
    assert f'id="grid-form-{hh.id}"' not in page.get_data(as_text=True)
    response = _save(client, round_, hh, income="5.000.000", version="1")
    assert response.status_code == 422 and "hồ sơ của hộ" in page_text(response)
    assert _review(db, hh).income_per_capita == 1_200_000


def test_scope_another_communes_round_hamlet_or_household_is_404(login_as, world, db):
    round_ = _round(db, world)
    other = _round(db, world, "C3")
    hh = _household(db, world, "G-A")
    client = login_as("commune1")
    assert client.get(_grid_url(round_, world.units["H3"])).status_code == 404   # C3's hamlet
    assert client.get(_grid_url(other, world.units["H3"])).status_code == 404
    assert client.get(_grid_url(round_) + "?hamlet=abc").status_code == 200      # ignored
    # C3's household on C1's round, and C1's household on C3's round.
    c3 = db.session.get(Review, db.session.scalar(select(Review.id).where(
        Review.household_id == world.households["C3"])))
    assert client.form(f"/reviews/rounds/{round_.id}/survey/{c3.household_id}",
                       {}, htmx=True).status_code == 404
    assert _save(client, other, hh).status_code == 404
    assert client.form(f"/reviews/rounds/{other.id}/survey/{hh.id}/preview", {},
                       htmx=True).status_code == 404
    assert _review(db, hh) is None
    for reader in ("district1", "massorg1"):   # they read the round; the survey is the commune's
        client.form("/logout")
        assert login_as(reader).get(_grid_url(round_, world.units["H1"])).status_code == 403


def test_a_hamlet_of_80_households_is_one_light_page(login_as, world, db, capsys):
    round_ = _round(db, world)
    hamlet = db.session.get(AdminUnit, world.units["H1b"])
    for n in range(80):
        hh = household_services.create_household(
            {"code": f"G80-{n:02d}", "head_name": f"Chủ hộ {n:02d}", "address": "",
             "policy_group": None}, hamlet, head={"sex": "M", "birth_year": 1970})
        db.session.flush()
        if n % 2:   # half of them already surveyed this year
            save_review(hh, ReviewInput(
                year=YEAR, review_type="periodic", review_date=date(YEAR, 10, 1),
                income_per_capita=1_000_000, score_a=None, indicator_codes=INDICATORS,
                cause_codes=["no_capital"], has_labour=True, policy_group=None, needs="",
                decision_number=None, decision_date=None, decided_status=None,
                override_reason=None), None)
        else:       # and half on the lists from last year
            hh.status, hh.status_year = "poor", YEAR - 1
    db.session.commit()
    client = login_as("commune1")
    client.get(_grid_url(round_, hamlet.id))   # warm the template cache
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        page = client.get(_grid_url(round_, hamlet.id))
        timings.append(time.perf_counter() - start)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and html.count('class="grid-row') == 80
    with capsys.disabled():
        print(f"\n[survey grid] 80 rows: median {sorted(timings)[1] * 1000:.0f} ms, "
              f"{len(html) // 1024} KiB")
