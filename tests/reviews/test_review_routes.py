"""The review form through HTTP: live classification, save, override rule, bad input, stale."""
import pytest
from sqlalchemy import func, select

from app.households.models import Household
from app.reviews.models import Review
from tests.conftest import page_text


@pytest.fixture
def officer(login_as):
    return login_as("commune1")


@pytest.fixture
def household(db, world):
    return db.session.get(Household, world.households["C1"])


def review_data(**changes):
    data = {"year": "2024", "review_type": "periodic", "review_date": "15/10/2024",
            "income_per_capita": "1.400.000", "indicators": ["employment", "nutrition", "water"],
            "causes": ["no_land", "illness"], "has_labour": "yes", "policy_group": "poverty_policy",
            "needs": "Vay vốn chăn nuôi", "decided_status": "poor", "decision_number": "45/QĐ-UBND",
            "decision_date": "20/12/2024"}
    data.update(changes)
    return data


def reviews_count(db):
    return db.session.scalar(select(func.count()).select_from(Review))


def test_live_classification_as_indicators_are_ticked(officer, household):
    url = f"/households/{household.id}/reviews/classify"
    two = officer.form(url, review_data(indicators=["employment", "water"]), htmx=True)
    assert two.status_code == 200
    text = page_text(two)
    assert two.get_data(as_text=True).lstrip().startswith('<div id="review-classification"')
    assert "Hộ cận nghèo" in text and "2 chỉ số / 2 chiều" in text and "điểm B 20" in text
    three = page_text(officer.form(url, review_data(), htmx=True))
    assert "Hộ nghèo" in three and "3 chỉ số / 3 chiều" in three and "điểm B 30" in three
    indicators = officer.form(url, review_data(year="2020"), htmx=True,
                              headers={"HX-Target": "review-indicators"})
    assert "Tài sản phục vụ tiếp cận thông tin" in page_text(indicators)   # the 2016 list
    assert "danh sách năm 2021" in page_text(indicators)


def test_save_review_records_path(officer, household, db):
    response = officer.form(f"/households/{household.id}/reviews/new",
                            review_data(indicators=["employment"], decided_status="near_poor"),
                            htmx=True)
    assert response.status_code == 200 and response.headers["HX-Retarget"] == "#reviews"
    # The summary (with the header), the exit panel and the plan panel listen for it.
    assert response.headers["HX-Trigger"] == "reviews-changed"
    review = db.session.scalar(select(Review).where(Review.household_id == household.id,
                                                    Review.year == 2024))
    assert review.income_per_capita == 1_400_000 and review.computed_status == "near_poor"
    assert review.transition == "escaped"   # poor in 2023 → near-poor in 2024
    assert sorted(review.cause_codes) == ["illness", "no_land"]
    db.session.expire_all()
    saved = db.session.get(Household, household.id)
    assert (saved.status, saved.last_transition, saved.exit_year) == ("near_poor", "escaped", None)
    for text in (page_text(response),   # the timeline swapped in, and as its own page
                 page_text(officer.get(f"/households/{household.id}/reviews/"))):
        assert "2023: Hộ nghèo" in text and "2024: Hộ cận nghèo" in text and "Thoát nghèo" in text


def test_decision_differing_from_rule_needs_reason(officer, household, db):
    before = reviews_count(db)
    url = f"/households/{household.id}/reviews/new"
    response = officer.form(url, review_data(decided_status="not_poor"), htmx=True)
    assert response.status_code == 422 and "cần ghi lý do" in page_text(response)
    assert reviews_count(db) == before
    ok = officer.form(url, review_data(decided_status="not_poor",
                                       override_reason="Hộ có thu nhập từ con đi làm xa"), htmx=True)
    assert ok.status_code == 200
    review = db.session.scalar(select(Review).where(Review.year == 2024))
    assert review.computed_status == "poor" and review.decided_status == "not_poor"
    assert review.override_reason == "Hộ có thu nhập từ con đi làm xa"


@pytest.mark.parametrize("changes,message", [
    ({"income_per_capita": "-500.000"}, "không được âm"),
    ({"income_per_capita": "một triệu"}, "Số tiền không hợp lệ"),
    ({"income_per_capita": "", "score_a": ""}, "Nhập thu nhập bình quân hoặc điểm A"),
    ({"indicators": ["information_assets"]}, "không thuộc chuẩn nghèo"),
    ({"year": "2012", "review_date": "01/10/2012", "decision_date": "01/12/2012"},
     "Chưa có chuẩn nghèo áp dụng cho danh sách năm 2013"),
    ({"year": "2023"}, "đã có kết quả rà soát năm 2023"),
    ({"review_date": "01/01/2099"}, "tương lai"),
    ({"decision_number": ""}, "Cần số và ngày quyết định"),
    ({"score_a": "abc", "income_per_capita": ""}, "số nguyên"),
    ({"causes": ["hack"]}, "lựa chọn không hợp lệ"),
])
def test_bad_review_input_is_refused_and_nothing_saved(officer, household, db, changes, message):
    before = reviews_count(db)
    response = officer.form(f"/households/{household.id}/reviews/new", review_data(**changes),
                            htmx=True)
    assert response.status_code == 422
    assert message in page_text(response)
    assert reviews_count(db) == before


def test_stale_review_edit_is_409(officer, household, db):
    review = db.session.scalar(select(Review).where(Review.household_id == household.id))
    url = f"/households/{household.id}/reviews/{review.id}/edit"
    data = review_data(year="2023", review_date="01/10/2023", decision_date="20/12/2023",
                       version=review.version)
    assert officer.form(url, dict(data, needs="Lần sửa A"), htmx=True).status_code == 200
    response = officer.form(url, dict(data, needs="Lần sửa B"), htmx=True)
    assert response.status_code == 409 and "vừa được người khác cập nhật" in page_text(response)
    db.session.expire_all()
    assert db.session.get(Review, review.id).needs == "Lần sửa A"


def test_score_a_instead_of_income(officer, household, db):
    response = officer.form(f"/households/{household.id}/reviews/new",
                            review_data(income_per_capita="", score_a="130"), htmx=True)
    assert response.status_code == 200
    review = db.session.scalar(select(Review).where(Review.year == 2024))
    assert review.score_a == 130 and review.income_per_capita is None
    assert review.computed_status == "poor"
