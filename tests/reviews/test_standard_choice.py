"""Which standard classifies a review, through the review form: the review of year Y makes the
lists of Y + 1 and uses their standard (DOMAIN.md §3); the middle bands of QĐ 59/2015 and
NĐ 07/2021 at their boundaries, rural and urban; the standard shown on the form and the
timeline."""
import pytest
from sqlalchemy import select

from app.core.units import HAMLET, AdminUnit
from app.households import services as household_services
from app.households.models import Household
from app.reviews.models import Review
from tests.conftest import page_text

LEGAL = {"2016-2021": "Quyết định 59/2015/QĐ-TTg",
         "2022-2026": "Nghị định 07/2021/NĐ-CP (áp dụng đến hết năm 2026)",
         "2027-2030": "Nghị định 351/2025/NĐ-CP [cần kiểm tra]"}
# Indicators every standard has, so one form fits every year.
COMMON = ["health_insurance", "water", "latrine"]


@pytest.fixture
def officer(login_as):
    return login_as("commune1")


@pytest.fixture
def rural(db, world):
    return db.session.get(Household, world.households["C1"])


@pytest.fixture
def urban(db, world):
    """A household of an urban tổ dân phố of Xã Một (the hamlet's own flag)."""
    commune = db.session.get(AdminUnit, world.units["C1"])
    hamlet = AdminUnit(code="0010199", name="Tổ dân phố 9", level=HAMLET, parent=commune,
                       is_urban=True)
    db.session.add(hamlet)
    db.session.flush()
    hamlet.rebuild_path()
    household = household_services.create_household(
        {"code": "HH-URBAN", "head_name": "Lý Văn Phố", "address": "Số 9"}, hamlet,
        head={"birth_year": 1975, "sex": "M"})
    db.session.commit()
    return household


def form(year, income, indicators=COMMON, **changes):
    data = {"year": str(year), "review_type": "periodic", "review_date": f"15/10/{year}",
            "income_per_capita": f"{income}", "indicators": indicators, "causes": ["no_land"],
            "has_labour": "yes", "policy_group": "poverty_policy", "needs": "",
            "decided_status": "", "decision_number": "", "decision_date": ""}
    data.update(changes)
    return data


@pytest.mark.parametrize("year,code,status", [
    # 1,400,000 rural with 3 deprivations: middle under QĐ 59 (its band), poor under NĐ 07
    # and the 2027–2030 standard.
    (2015, "2016-2021", "middle"), (2020, "2016-2021", "middle"),
    (2021, "2022-2026", "poor"), (2022, "2022-2026", "poor"), (2025, "2022-2026", "poor"),
    (2026, "2027-2030", "poor"),
])
def test_saved_review_uses_the_standard_of_its_list_year(officer, rural, db, year, code, status):
    response = officer.form(f"/households/{rural.id}/reviews/new", form(year, 1_400_000),
                            htmx=True)
    assert response.status_code == 200, page_text(response)
    review = db.session.scalar(select(Review).where(Review.household_id == rural.id,
                                                    Review.year == year))
    assert (review.standard.code, review.computed_status) == (code, status)
    assert sorted(i.code for i in review.deprivations) == sorted(COMMON)
    timeline = page_text(officer.get(f"/households/{rural.id}/reviews/"))
    assert f"Chuẩn áp dụng: {LEGAL[code]} (danh sách năm {year + 1})" in timeline


@pytest.mark.parametrize("year,code", [(2020, "2016-2021"), (2021, "2022-2026"),
                                       (2026, "2027-2030")])
def test_form_shows_the_standard_and_its_indicators_for_the_year(officer, rural, year, code):
    response = officer.form(f"/households/{rural.id}/reviews/classify", form(year, 1_400_000),
                            htmx=True, headers={"HX-Target": "review-indicators"})
    text = page_text(response)
    assert f"Chuẩn áp dụng: {LEGAL[code]} (danh sách năm {year + 1})" in text
    assert ("Tài sản phục vụ tiếp cận thông tin" in text) == (code == "2016-2021")
    assert ("Việc làm" in text) == (code != "2016-2021")


def test_form_page_shows_the_standard_of_the_default_year(officer, rural):
    text = page_text(officer.get(f"/households/{rural.id}/reviews/new?year=2021"))
    assert f"Chuẩn áp dụng: {LEGAL['2022-2026']} (danh sách năm 2022)" in text


@pytest.mark.parametrize("year,area,income,expected", [
    # QĐ 59/2015 (reviews of 2015–2020): near-poor line, then the middle band up to 1,500,000
    # rural / 1,950,000 urban. Two deprivations: below the line it is near-poor.
    (2020, "rural", 1_000_000, "Hộ cận nghèo"), (2020, "rural", 1_000_001, "Hộ có mức sống trung bình"),
    (2020, "rural", 1_500_000, "Hộ có mức sống trung bình"), (2020, "rural", 1_500_001, "Hộ không nghèo"),
    (2020, "urban", 1_300_000, "Hộ cận nghèo"), (2020, "urban", 1_300_001, "Hộ có mức sống trung bình"),
    (2020, "urban", 1_950_000, "Hộ có mức sống trung bình"), (2020, "urban", 1_950_001, "Hộ không nghèo"),
    # NĐ 07/2021 (reviews of 2021–2025): line, then the band up to 2,250,000 / 3,000,000.
    (2021, "rural", 1_500_000, "Hộ cận nghèo"), (2021, "rural", 1_500_001, "Hộ có mức sống trung bình"),
    (2021, "rural", 2_250_000, "Hộ có mức sống trung bình"), (2021, "rural", 2_250_001, "Hộ không nghèo"),
    (2024, "urban", 2_000_000, "Hộ cận nghèo"), (2024, "urban", 2_000_001, "Hộ có mức sống trung bình"),
    (2024, "urban", 3_000_000, "Hộ có mức sống trung bình"), (2024, "urban", 3_000_001, "Hộ không nghèo"),
])
def test_middle_bands_at_their_boundaries(officer, rural, urban, year, area, income, expected):
    household = rural if area == "rural" else urban
    response = officer.form(f"/households/{household.id}/reviews/classify",
                            form(year, income, ["water", "latrine"]), htmx=True)
    assert response.status_code == 200
    text = page_text(response)
    assert f"Kết quả tính theo chuẩn: {expected}" in text, text
