"""The legal rules, as pure functions over the data of a standard.

list_year(): the year whose lists a review identifies (its standard is the one of that year).
classify(): one review → poor / near-poor / middle / not poor.
path(): a household's decided statuses by year → the named transitions and where it stands.
"""
from dataclasses import dataclass, field

POOR, NEAR_POOR, MIDDLE, NOT_POOR = "poor", "near_poor", "middle", "not_poor"
IN_LISTS = (POOR, NEAR_POOR)
STATUSES = (POOR, NEAR_POOR, MIDDLE, NOT_POOR)

ESCAPED = "escaped"                 # thoát nghèo: poor → near-poor or out of the lists
ESCAPED_NEAR = "escaped_near"       # thoát cận nghèo: near-poor → out of the lists
RELAPSED = "relapsed"               # tái nghèo: → poor, having been poor before
NEWLY_POOR = "newly_poor"           # nghèo phát sinh: → poor, never poor before
NEAR_RELAPSED = "near_relapsed"     # tái cận nghèo: → near-poor, near-poor before
NEWLY_NEAR = "newly_near"           # cận nghèo phát sinh: → near-poor, never near-poor before
TRANSITIONS = (ESCAPED, ESCAPED_NEAR, RELAPSED, NEWLY_POOR, NEAR_RELAPSED, NEWLY_NEAR)

NEWLY_ESCAPED_YEARS = 3  # "hộ mới thoát nghèo": left the lists at most 3 years ago


def list_year(review_year: int) -> int:
    """The review carried out in year Y identifies the lists that apply in Y + 1, under the
    standard in force for Y + 1 (the end-of-2021 review used NĐ 07/2021, the lists of 2022)."""
    return review_year + 1


def review_year(list_year: int) -> int:
    """The inverse of list_year()."""
    return list_year - 1


class RuleError(ValueError):
    """Input the standard cannot classify; the message is shown to the user."""


@dataclass(frozen=True)
class Classification:
    status: str
    indicators: int
    dimensions: int
    score_b: int
    basis: str  # "income" or "score_a"


def classify(standard, area: str, deprived, income: int | None = None,
             score_a: int | None = None) -> Classification:
    """`deprived`: the standard's Indicator rows ticked for the household."""
    foreign = [i for i in deprived if i.standard_id != standard.id]
    if foreign:
        raise RuleError(f"Chỉ số “{foreign[0].label}” không thuộc chuẩn nghèo {standard.years_label}.")
    line = standard.line_for(area)
    count = len(deprived)
    many = count >= standard.deprivation_threshold
    if income is not None:
        if income < 0:
            raise RuleError("Thu nhập bình quân không được âm.")
        value, by_income_only, main, middle, basis = (
            income, line.poor_by_income, line.line, line.middle_line, "income")
    elif score_a is not None:
        if line.score_a_line is None:
            raise RuleError(f"Chuẩn nghèo {standard.years_label} không chấm điểm A; hãy nhập thu nhập.")
        if score_a < 0:
            raise RuleError("Điểm A không được âm.")
        value, by_income_only, main, middle, basis = score_a, None, line.score_a_line, None, "score_a"
    else:
        raise RuleError("Nhập thu nhập bình quân đầu người/tháng hoặc điểm A.")
    if by_income_only is not None and value <= by_income_only:
        status = POOR
    elif value <= main:
        status = POOR if many else NEAR_POOR
    elif middle is not None and value <= middle:
        status = MIDDLE
    else:
        status = NOT_POOR
    return Classification(status, count, len({i.dimension_id for i in deprived}),
                          count * standard.points_per_indicator, basis)


@dataclass
class Path:
    """Where a household stands after its decided reviews."""
    transitions: dict[int, str | None] = field(default_factory=dict)
    status: str | None = None
    status_year: int | None = None
    exit_year: int | None = None      # year it left the lists, while it stays out
    poor_since: int | None = None     # first year of the current unbroken poor stretch


def path(history: list[tuple[int, str]]) -> Path:
    """`history`: (year, decided status), any order. Transitions compare each decided review
    with the one before it; a first review counts as coming from outside the lists."""
    result = Path()
    ever_poor = ever_near = False
    previous = None
    for year, status in sorted(history):
        transition = None
        if status == POOR:
            if previous != POOR:
                transition = RELAPSED if ever_poor else NEWLY_POOR
                result.poor_since = year
            ever_poor = True
        elif status == NEAR_POOR:
            if previous == POOR:
                transition = ESCAPED
            elif previous != NEAR_POOR:
                transition = NEAR_RELAPSED if ever_near else NEWLY_NEAR
            ever_near = True
        elif previous == POOR:
            transition = ESCAPED
        elif previous == NEAR_POOR:
            transition = ESCAPED_NEAR
        if status != POOR:
            result.poor_since = None
        if status in IN_LISTS:
            result.exit_year = None
        elif previous in IN_LISTS:
            result.exit_year = year
        result.transitions[year] = transition
        result.status, result.status_year, previous = status, year, status
    return result


def standing(status: str | None, exit_year: int | None, this_year: int) -> str | None:
    """The status shown for a household: out of the lists splits into newly escaped (at most
    three years) and sustainable exit."""
    if status in IN_LISTS or exit_year is None:
        return status
    return "newly_escaped" if this_year - exit_year <= NEWLY_ESCAPED_YEARS else "sustainable_exit"
