"""What a check makes of a file: households (with their members and the year's review), and
the errors and warnings found, by row and field."""
from dataclasses import dataclass, field

ERROR, WARNING = "e", "w"
HOUSEHOLD, MEMBER = "household", "member"      # one row per household / per member


class Issues:
    """Errors and warnings by row and field; the first `cap` kept in full, all counted."""

    def __init__(self, cap: int = 2000):
        self.items, self.cap, self.errors, self.warnings = [], cap, 0, 0

    def add(self, level, line, field_name, message, **args):
        if level == ERROR:
            self.errors += 1
        else:
            self.warnings += 1
        if len(self.items) < self.cap:
            self.items.append({"r": line, "f": field_name, "l": level, "m": message,
                               "a": {k: str(v) for k, v in args.items()}})

    def error(self, line, field_name, message, **args):
        self.add(ERROR, line, field_name, message, **args)

    def warning(self, line, field_name, message, **args):
        self.add(WARNING, line, field_name, message, **args)


@dataclass
class Row:
    number: int
    household: dict                   # converted values by field, split by what they describe
    member: dict
    review: dict
    bad: set                          # fields whose value could not be read
    section: int | None = None        # hamlet named by a group row above


@dataclass
class HouseholdIn:
    rows: list
    values: dict = field(default_factory=dict)      # household columns given (+ hamlet_id)
    members: list = field(default_factory=list)     # (row, member columns given), head first
    review: dict | None = None
    errors: bool = False
    place: dict | None = None                       # the hamlet's unit ids
    # Set by the matching (services): create / update / unchanged, and the existing household.
    action: str = "create"
    existing_id: int | None = None

    @property
    def row(self) -> int:
        return self.rows[0]

    @property
    def head(self) -> dict:
        return self.members[0][1]


@dataclass
class Plan:
    mode: str = HOUSEHOLD                            # one row per household / per member
    households: list = field(default_factory=list)
    rows_read: int = 0
    skipped: int = 0                                 # totals, group, footer and unmapped rows
    issues: Issues = field(default_factory=Issues)
