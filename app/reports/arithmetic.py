"""The official arithmetic of the plan tables, as pure functions over counts.

Like the tables of the provincial and commune plans (seeds 003 and 004): a rate is households
over households × 100 with two decimals, rounded half up (1.203 / 88.215 → 1,36); a share is the
same over the poor households; the rate reduction is the difference of the two rounded rates
(as printed: 1,36 − 1,21 = 0,15); projected households grow the current count by a percentage
given in basis points (0,3 % = 30). Nothing here reads the database, so
tests/reports/test_seed_tables.py rebuilds the seeds' tables digit for digit."""
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal

HUNDREDTH = Decimal("0.01")
ZERO = Decimal("0.00")


def rate(part: int, whole: int) -> Decimal:
    """part / whole × 100, two decimals, half up; 0,00 when there is nothing to divide by."""
    if not whole:
        return ZERO
    return (Decimal(part) * 100 / Decimal(whole)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


share = rate  # a part of the poor households, in percent


def rate_reduction(before: Decimal, after: Decimal) -> Decimal:
    """How many points the rate falls: the difference of the two (rounded) rates."""
    return before - after


def remaining(count: int, reduction: int | None) -> int:
    """Households left after the planned reduction (no plan: all of them)."""
    return count - (reduction or 0)


def projected(households: int, growth_bp: int) -> int:
    """Households expected next year: today's count grown by growth_bp / 100 %, half up."""
    return (households * (10000 + growth_bp) + 5000) // 10000


def from_percent(baseline: int, percent_bp: int) -> int:
    """A target given as a percentage of the baseline (basis points), in households, half up."""
    return (baseline * percent_bp + 5000) // 10000


def format_rate(value: Decimal | None) -> str:
    """1.36 → "1,36" (two decimals, decimal comma, like the official tables)."""
    if value is None:
        return ""
    return f"{value.quantize(HUNDREDTH, rounding=ROUND_HALF_UP):f}".replace(".", ",")


def format_bp(bp: int) -> str:
    """70 → "0,7"; 125 → "1,25" (a percentage without trailing zeros)."""
    text = f"{Decimal(bp) / 100:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _sum(values):
    present = [v for v in values if v is not None]
    return sum(present) if present else None


@dataclass
class PlanRow:
    """One line of seed 003's appendix (CHỈ TIÊU PHẤN ĐẤU GIẢM TỶ LỆ HỘ NGHÈO): the counts
    entered or read from the data; everything else follows."""
    households: int                 # Tổng số hộ dân (kết quả rà soát)
    poor: int                       # Số hộ nghèo
    persons: int                    # Khẩu nghèo
    social: int                     # Hộ nghèo thuộc chính sách bảo trợ xã hội
    policy: int                     # Hộ nghèo thuộc chính sách giảm nghèo
    projected: int                  # Tổng số hộ dân năm kế hoạch
    reduction: int | None           # Số hộ nghèo phấn đấu giảm (None: no target)

    @property
    def rate(self) -> Decimal:
        return rate(self.poor, self.households)

    @property
    def social_share(self) -> Decimal:
        return share(self.social, self.poor)

    @property
    def policy_share(self) -> Decimal:
        return share(self.policy, self.poor)

    @property
    def unknown(self) -> int:
        """Poor households of neither group (no policy group recorded): the three columns
        always sum to the poor households."""
        return self.poor - self.social - self.policy

    @property
    def unknown_share(self) -> Decimal:
        return share(self.unknown, self.poor)

    @property
    def remaining(self) -> int:
        return remaining(self.poor, self.reduction)

    @property
    def new_rate(self) -> Decimal:
        return rate(self.remaining, self.projected)

    @property
    def rate_reduction(self) -> Decimal:
        return rate_reduction(self.rate, self.new_rate)

    @classmethod
    def total(cls, rows: list["PlanRow"]) -> "PlanRow":
        """The totals line: counts summed, rates recomputed from the sums."""
        counts = {f.name: sum(getattr(r, f.name) for r in rows)
                  for f in fields(cls) if f.name != "reduction"}
        return cls(**counts, reduction=_sum(r.reduction for r in rows))


@dataclass
class HamletRow:
    """One line of seed 004's tables (BIỂU PHÂN BỐ CHỈ TIÊU GIẢM HỘ NGHÈO / CẬN NGHÈO)."""
    households: int                 # Tổng số hộ năm kế hoạch
    count: int                      # Hộ (cận) nghèo sau rà soát năm trước
    reduction: int | None           # Kế hoạch giảm (None: no target)
    no_labour: int | None = None    # Hộ nghèo không còn khả năng lao động (poor table only)

    @property
    def end(self) -> int:
        """Hộ (cận) nghèo cuối kỳ."""
        return remaining(self.count, self.reduction)

    @property
    def rate(self) -> Decimal:
        return rate(self.end, self.households)

    @classmethod
    def total(cls, rows: list["HamletRow"]) -> "HamletRow":
        return cls(households=sum(r.households for r in rows), count=sum(r.count for r in rows),
                   reduction=_sum(r.reduction for r in rows),
                   no_labour=_sum(r.no_labour for r in rows))
