"""Scoping by construction, checked in the source: outside core/scoping.py, a scoped model
(one with ScopedMixin) is never loaded by id (`db.session.get(Household, …)`) nor selected
(`select(Household…)`, `.select_from(Household)`) unless the select is wrapped in `scoped(…)`
or filtered by `scope_clause(…)` in the same expression. The exceptions are named below, each
with its reason: code that reads rows by an id already scoped, or that is no user's request."""
import ast
from pathlib import Path

import app.models  # noqa: F401  (every model registered)
from app.core.scoping import ScopedMixin
from app.extensions import db

APP = Path(__file__).resolve().parents[2] / "app"

# file (relative to app/) → why it may read scoped rows without scoped().
ALLOWED = {
    "core/scoping.py": "the one place that builds the scope",
    "sponsors/models.py": "Assignment.sponsor_scope: part of the scope itself",
    # Demo data: a command, no user's request.
    "funds/demo.py": "demo data (CLI)", "sponsors/demo.py": "demo data (CLI)",
    "supports/demo.py": "demo data (CLI)",
    # Services and queries handed an object the route already loaded through the scope; they
    # read rows of that object (a household's members, a round's households, a fund's
    # supports) by its id, or check uniqueness across it.
    "funds/disclosure.py": "supports of a fund the route loaded through get_scoped_or_404",
    "funds/queries.py": "rows named by a fund entry of a fund already scoped (fund_scope)",
    "funds/services.py": "rows named by a fund entry of a fund already scoped",
    "households/services.py": "members/codes of a household already loaded through the scope",
    "imports/services.py": "the import writer: rows of the batch's own commune",
    "reviews/exits.py": "reviews/proposals of a household already loaded through the scope",
    "reviews/official_lists.py": "members of a round's households, the round already scoped",
    "reviews/queries.py": "reviews of a household already loaded through the scope",
    "reviews/round_decision.py": "rows named by a decision step of a round already scoped",
    "reviews/round_queries.py": "households of a round already loaded through the scope",
    "reviews/services.py": "reviews of a household already loaded through the scope",
    "reviews/transitions.py": "households of a unit resolved through units_in_scope",
    "sponsors/portal_queries.py": "households limited to the sponsor's own assignments",
    "sponsors/services.py": "assignments of a household already loaded through the scope",
    "supports/plans.py": "plan items/reviews of a household already loaded through the scope",
    "supports/services.py": "supports of a household already loaded through the scope",
    # Aggregates (counts and sums) by a unit resolved through units_in_scope (in_unit).
    "reports/deprivation.py": "aggregates under a unit resolved through units_in_scope",
    "reports/support_report.py": "aggregates under a unit resolved through units_in_scope",
    "targets/figures.py": "aggregates under a unit resolved through units_in_scope",
}


def _scoped_models():
    return {m.class_.__name__ for m in db.Model.registry.mappers
            if issubclass(m.class_, ScopedMixin)}


def _name(node):
    """`Household` for `Household`, `Household.id`, `func.count(Household.id)`…: the model named."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return _name(node.value)
    return None


def _called(node) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _covered(tree) -> set:
    """Nodes inside an expression that applies the scope: scoped(…) or a scope_clause(…)."""
    covered = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Expr, ast.Assign, ast.Return, ast.AnnAssign, ast.AugAssign)):
            calls = {_called(n) for n in ast.walk(node) if isinstance(n, ast.Call)}
            if calls & {"scoped", "scope_clause"}:
                covered.update(id(n) for n in ast.walk(node))
    return covered


def unscoped_reads(source: str, models: set) -> list:
    """(line, code) of each read of a scoped model that does not apply the scope."""
    tree = ast.parse(source)
    covered = _covered(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or id(node) in covered:
            continue
        called = _called(node)
        if called == "get" and ast.unparse(node.func) == "db.session.get" and node.args:
            named = {_name(node.args[0])}
        elif called in ("select", "select_from"):
            named = {_name(a) for a in node.args}
        else:
            continue
        if named & models:
            found.append((node.lineno, ast.unparse(node)[:80]))
    return found


def test_no_unscoped_reads_of_scoped_models():
    models = _scoped_models()
    assert {"Household", "Member", "Review", "Support"} <= models
    found = {}
    for path in sorted(APP.rglob("*.py")):
        relative = path.relative_to(APP).as_posix()
        if relative in ALLOWED:
            continue
        reads = unscoped_reads(path.read_text(encoding="utf-8"), models)
        if reads:
            found[relative] = reads
    assert found == {}, "wrap these in scoped(...) or load them with @loads / get_scoped_or_404"


def test_allow_list_is_current():
    """Every allowed file exists and gives a reason: no silent exception."""
    for relative, reason in ALLOWED.items():
        assert (APP / relative).is_file(), relative
        assert len(reason) > 10, relative


def test_the_check_sees_an_unscoped_read():
    models = {"Household"}
    assert unscoped_reads("h = db.session.get(Household, request.args['id'])", models)
    assert unscoped_reads("h = db.session.scalar(select(Household).where(Household.id == i))",
                          models)
    assert unscoped_reads("n = select(func.count()).select_from(Household)", models)
    assert not unscoped_reads("h = db.session.scalar(scoped(select(Household)))", models)
    assert not unscoped_reads("s = select(Household.id).where(scope_clause(Household))", models)
