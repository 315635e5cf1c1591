"""The legal rules of the three standards, at their boundaries, on the seeded data."""
import pytest
from sqlalchemy import select

from app.reviews import rules
from app.reviews.models import PovertyStandard
from app.reviews.rules import MIDDLE, NEAR_POOR, NOT_POOR, POOR, RuleError, classify, path, standing
from app.reviews.services import indicators_by_code, standard_for_review_year


def _standard(db, code) -> PovertyStandard:
    return db.session.scalar(select(PovertyStandard).where(PovertyStandard.code == code))


def _deprived(standard, n):
    return standard.indicators[:n]


@pytest.mark.parametrize("area,income,deprived,expected", [
    # QĐ 59/2015 (lists 2016–2021): at or below the poor line → poor whatever the deprivations.
    ("rural", 700_000, 0, POOR), ("rural", 700_001, 0, NEAR_POOR),
    ("rural", 0, 0, POOR),
    ("rural", 1_000_000, 3, POOR), ("rural", 1_000_000, 2, NEAR_POOR),
    # Its middle living standard band: rural > 1,000,000 – 1,500,000, urban > 1,300,000 – 1,950,000.
    ("rural", 1_000_001, 3, MIDDLE), ("rural", 1_000_001, 10, MIDDLE),
    ("rural", 1_500_000, 0, MIDDLE), ("rural", 1_500_001, 0, NOT_POOR),
    ("urban", 900_000, 0, POOR), ("urban", 900_001, 2, NEAR_POOR),
    ("urban", 1_300_000, 3, POOR), ("urban", 1_300_001, 0, MIDDLE),
    ("urban", 1_950_000, 4, MIDDLE), ("urban", 1_950_001, 0, NOT_POOR),
])
def test_standard_2016(db, area, income, deprived, expected):
    standard = _standard(db, "2016-2021")
    assert classify(standard, area, _deprived(standard, deprived), income=income).status == expected


@pytest.mark.parametrize("area,income,deprived,expected", [
    # NĐ 07/2021 (2022–2026): poor needs income ≤ line AND ≥ 3 of 12 indicators.
    ("rural", 1_500_000, 3, POOR), ("rural", 1_500_000, 2, NEAR_POOR),
    ("rural", 0, 0, NEAR_POOR), ("rural", 1_500_001, 12, MIDDLE), ("rural", 1_500_001, 0, MIDDLE),
    ("rural", 2_250_000, 0, MIDDLE), ("rural", 2_250_001, 0, NOT_POOR),
    ("urban", 2_000_000, 3, POOR), ("urban", 2_000_001, 3, MIDDLE),
    ("urban", 3_000_000, 5, MIDDLE), ("urban", 3_000_001, 5, NOT_POOR),
])
def test_standard_2022(db, area, income, deprived, expected):
    standard = _standard(db, "2022-2026")
    assert classify(standard, area, _deprived(standard, deprived), income=income).status == expected


@pytest.mark.parametrize("area,income,deprived,expected", [
    ("rural", 2_200_000, 3, POOR), ("rural", 2_200_000, 2, NEAR_POOR),
    ("rural", 2_200_001, 6, NOT_POOR), ("urban", 2_800_000, 3, POOR),
    ("urban", 2_800_001, 0, NOT_POOR),
])
def test_standard_2027_provisional(db, area, income, deprived, expected):
    standard = _standard(db, "2027-2030")
    assert standard.is_provisional
    assert classify(standard, area, _deprived(standard, deprived), income=income).status == expected


@pytest.mark.parametrize("area,score_a,deprived,expected", [
    ("rural", 140, 3, POOR), ("rural", 140, 2, NEAR_POOR), ("rural", 141, 3, NOT_POOR),
    ("urban", 175, 3, POOR), ("urban", 176, 5, NOT_POOR),
])
def test_score_a_2022(db, area, score_a, deprived, expected):
    standard = _standard(db, "2022-2026")
    result = classify(standard, area, _deprived(standard, deprived), score_a=score_a)
    assert result.status == expected and result.score_b == 10 * deprived and result.basis == "score_a"


def test_counts_indicators_and_dimensions(db):
    standard = _standard(db, "2022-2026")
    deprived = indicators_by_code(standard, ["employment", "dependants", "water"])
    result = classify(standard, "rural", deprived, income=1_000_000)
    assert (result.indicators, result.dimensions, result.score_b) == (3, 2, 30)
    assert [d.number for d in deprived] == [1, 2, 9]


@pytest.mark.parametrize("review_year,code", [
    # The review of Y identifies the lists of Y + 1 and uses their standard (DOMAIN.md §3).
    (2015, "2016-2021"), (2020, "2016-2021"), (2021, "2022-2026"), (2022, "2022-2026"),
    (2025, "2022-2026"), (2026, "2027-2030"), (2029, "2027-2030"),
])
def test_review_year_selects_the_standard_of_its_list_year(db, review_year, code):
    assert rules.list_year(review_year) == review_year + 1
    assert standard_for_review_year(review_year).code == code


@pytest.mark.parametrize("review_year,list_year", [(2014, 2015), (2030, 2031)])
def test_no_standard_for_the_list_year(db, review_year, list_year):
    with pytest.raises(RuleError, match=f"danh sách năm {list_year} \\(kỳ rà soát năm {review_year}\\)"):
        standard_for_review_year(review_year)


def test_list_years_are_data(db):
    """Corrected by the admin: the lists a standard governs move the reviews it classifies."""
    old, new = _standard(db, "2016-2021"), _standard(db, "2022-2026")
    old.list_year_to, new.list_year_from = 2022, 2023
    db.session.flush()
    assert standard_for_review_year(2021).code == "2016-2021"
    assert standard_for_review_year(2022).code == "2022-2026"


def test_bad_input_refused(db):
    standard = _standard(db, "2022-2026")
    old = _standard(db, "2016-2021")
    with pytest.raises(RuleError, match="không được âm"):
        classify(standard, "rural", [], income=-1)
    with pytest.raises(RuleError, match="không thuộc chuẩn nghèo"):
        classify(standard, "rural", old.indicators[:1], income=1)
    with pytest.raises(RuleError, match="không thuộc chuẩn nghèo"):
        indicators_by_code(old, ["employment"])   # 2022 indicator, 2016 standard
    with pytest.raises(RuleError, match="không chấm điểm A"):
        classify(old, "rural", [], score_a=100)
    with pytest.raises(RuleError, match="Nhập thu nhập"):
        classify(standard, "rural", [])


@pytest.mark.parametrize("history,transitions,status,exit_year,poor_since", [
    ([(2021, POOR), (2022, POOR), (2023, NEAR_POOR), (2024, NOT_POOR)],
     {2021: "newly_poor", 2022: None, 2023: "escaped", 2024: "escaped_near"}, NOT_POOR, 2024, None),
    ([(2021, POOR), (2022, NOT_POOR), (2023, POOR)],
     {2021: "newly_poor", 2022: "escaped", 2023: "relapsed"}, POOR, None, 2023),
    ([(2022, NEAR_POOR), (2023, NOT_POOR), (2024, NEAR_POOR)],
     {2022: "newly_near", 2023: "escaped_near", 2024: "near_relapsed"}, NEAR_POOR, None, None),
    ([(2022, MIDDLE), (2023, POOR), (2024, POOR), (2025, POOR)],
     {2022: None, 2023: "newly_poor", 2024: None, 2025: None}, POOR, None, 2023),
    ([(2021, NEAR_POOR), (2022, POOR), (2023, MIDDLE)],
     {2021: "newly_near", 2022: "newly_poor", 2023: "escaped"}, MIDDLE, 2023, None),
    ([(2024, POOR), (2021, POOR), (2022, NOT_POOR)],   # order of input does not matter
     {2021: "newly_poor", 2022: "escaped", 2024: "relapsed"}, POOR, None, 2024),
    ([], {}, None, None, None),
])
def test_path(history, transitions, status, exit_year, poor_since):
    result = path(history)
    assert result.transitions == transitions
    assert (result.status, result.exit_year, result.poor_since) == (status, exit_year, poor_since)


def test_newly_escaped_for_three_years_then_sustainable():
    assert standing(NOT_POOR, 2023, 2024) == "newly_escaped"
    assert standing(NOT_POOR, 2023, 2026) == "newly_escaped"
    assert standing(NOT_POOR, 2023, 2027) == "sustainable_exit"
    assert standing(POOR, None, 2026) == POOR
    assert standing(NOT_POOR, None, 2026) == NOT_POOR   # never on the lists
    assert rules.NEWLY_ESCAPED_YEARS == 3
