"""Import every model so the metadata (and Alembic autogenerate) sees them all."""
from app.core.audit import AuditLog  # noqa: F401
from app.core.lookups import Lookup  # noqa: F401
from app.core.once import FormToken  # noqa: F401
from app.core.units import AdminUnit  # noqa: F401
from app.core.users import User  # noqa: F401
from app.households.models import Household, Member  # noqa: F401
from app.reviews.models import (ExitProposal, HamletMeeting, PovertyStandard,  # noqa: F401
                                ReviewRequest, ReviewRound)
from app.reviews.round_models import (DecisionHousehold, PostingComplaint,  # noqa: F401
                                      RoundDecision, RoundPosting)
from app.sponsors.models import Assignment, Sponsor  # noqa: F401
from app.supports.models import (Evidence, FundingSource, PlanItem,  # noqa: F401
                                 SuggestedAction, Support)
from app.funds.models import DisclosureSnapshot, Fund, FundEntry, FundReviewEvent  # noqa: F401
from app.imports.models import ImportBatch, ImportMapping  # noqa: F401
from app.targets.models import ReportDeadline, ReportSubmission, Target  # noqa: F401
from app.targets.figure_models import HouseholdProjection, HouseholdTotal, YearFigure  # noqa: F401
