"""What a check needs to know before reading a row: the options of the import (year, review
date, decision, default hamlet), the user's hamlets — THE scope: a hamlet outside it is not
found —, the lookup lists with the words officers write for them, the year's poverty standard
and its indicators, and one converter per field."""
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core import lookups
from app.core.i18n import N_
from app.core.scoping import units_in_scope
from app.core.units import HAMLET
from app.extensions import db
from app.imports import convert, words
from app.imports.convert import Bad, fold
from app.imports.mapping import INDICATOR_WORDS, heading_key
from app.reviews.models import Indicator, PovertyStandard
from app.reviews.rules import RuleError
from app.reviews.services import standard_for_review_year

RELATIONSHIP_WORDS = {"vo": "spouse", "chong": "spouse", "vo chong": "spouse", "con trai": "child",
                      "con gai": "child", "con nuoi": "child", "cha": "parent", "me": "parent",
                      "bo": "parent", "bo de": "parent", "me de": "parent", "ong": "grandparent",
                      "ba": "grandparent", "ong noi": "grandparent", "ba noi": "grandparent",
                      "ong ngoai": "grandparent", "ba ngoai": "grandparent", "chau": "grandchild",
                      "chau noi": "grandchild", "chau ngoai": "grandchild", "anh": "sibling",
                      "chi": "sibling", "em": "sibling", "anh trai": "sibling", "chi gai": "sibling",
                      "em trai": "sibling", "em gai": "sibling", "con dau": "in_law",
                      "con re": "in_law", "ch": "head", "chu ho": "head", "chu": "head"}
MERIT_WORDS = {"thuong binh": "g", "benh binh": "h", "liet si": "c", "than nhan liet si": "c",
               "gia dinh liet si": "c", "me viet nam anh hung": "d", "ba me viet nam anh hung": "d",
               "bmvnah": "d", "chat doc hoa hoc": "i", "nhiem chat doc hoa hoc": "i",
               "chat doc da cam": "i", "da cam": "i", "tu day": "k", "bi dich bat tu day": "k",
               "khang chien": "l", "giup do cach mang": "m", "co cong giup do cach mang": "m"}
POLICY_WORDS = {"btxh": "social_protection", "bao tro xa hoi": "social_protection",
                "chinh sach bao tro xa hoi": "social_protection", "giam ngheo": "poverty_policy",
                "chinh sach giam ngheo": "poverty_policy"}
HAMLET_PREFIXES = ("to dan pho", "khu pho", "thon", "xom", "ban", "buon", "ap", "to", "khu",
                   "lang", "tdp", "khom")
# The first words of the signature block under a list (folded): everything from there is skipped.
FOOTER = re.compile(r"(nguoi lap|xac nhan|(pho )?chu tich|t ?m ubnd|ky ten|can bo|truong thon|"
                    r"uy ban nhan dan|ubnd|ke toan|nguoi tong hop|thu truong|"
                    r"(\w+ ){0,6}ngay( \d+)? thang( \d+)? nam)( |$)")
# A totals row: exactly these first words (a name like "Cộng Văn Thành" is not one).
TOTALS = re.compile(r"(tong cong|tong so|tong|cong)( (\d+|ho|nguoi|khau|nhan khau))*$|tong (cong|so) ")


@dataclass
class Options:
    year: int
    review_date: date
    decision_number: str | None = None
    decision_date: date | None = None
    hamlet_id: int | None = None         # when the file has no hamlet column
    sheet: int = 0


def _hamlet_keys(name: str, code: str) -> list[str]:
    key = heading_key(name)
    keys = [key, code.lower()]
    for prefix in HAMLET_PREFIXES:
        if key.startswith(prefix + " "):
            keys.append(key[len(prefix) + 1:])
            break
    return [" ".join(str(int(w)) if w.isdigit() else w for w in k.split()) for k in keys]


class Context:
    """Reference data read once: the user's hamlets (THE scope), lookup lists, the standard."""

    def __init__(self, user, options: Options):
        self.options = options
        hamlets = db.session.scalars(units_in_scope(HAMLET, user)).all()
        self.hamlets = {h.id: {"id": h.id, "name": h.name, "is_urban": h.urban,
                               "place": {f"{lv}_id": uid for lv, uid in h.lineage().items()}}
                        for h in hamlets}
        self.hamlet_index: dict[str, int | None] = {}
        for h in hamlets:
            for key in dict.fromkeys(_hamlet_keys(h.name, h.code)):
                self.hamlet_index[key] = None if self.hamlet_index.get(key, h.id) != h.id else h.id
        labels = {kind: lookups.labels(kind) for kind in (
            "relationship", "ethnicity", "schooling", "work_status", "merit_category",
            "merit_relation", "merit_benefit", "policy_group", "poverty_cause")}
        extra = {"relationship": RELATIONSHIP_WORDS, "merit_category": MERIT_WORDS,
                 "policy_group": POLICY_WORDS,
                 "ethnicity": {"hmong": _code_of(labels["ethnicity"], "H'Mông"),
                               "mong": _code_of(labels["ethnicity"], "H'Mông")},
                 "merit_benefit": {"hang thang": "monthly", "mot lan": "one_time"}}
        self.lookup = {kind: convert.Lookup(rows, extra.get(kind)) for kind, rows in labels.items()}
        self.kinh = _code_of(labels["ethnicity"], "Kinh")
        self.cause_words = words.Causes(labels["poverty_cause"])
        # Every standard's indicators by code: a mark for one outside the year's standard is
        # named by its label, never by its code.
        self.indicator_labels = dict(db.session.execute(select(Indicator.code, Indicator.label)).all())
        self.standard, self.standard_error = None, None
        try:
            standard = standard_for_review_year(options.year, selectinload(PovertyStandard.indicators),
                                                selectinload(PovertyStandard.lines))
        except RuleError as exc:
            self.standard_error = str(exc)
        else:
            self.standard = standard
            self.indicators = {i.code: i for i in standard.indicators}
            self.indicator_index = {}
            for i in standard.indicators:
                for key in (str(i.number), i.code, heading_key(i.label)):
                    self.indicator_index[key] = i.code
            for i in standard.indicators:        # the usual short names ("BHYT", "Nhà tiêu HVS")
                for key in INDICATOR_WORDS.get(i.code, ()):
                    self.indicator_index.setdefault(key, i.code)
        self.default_hamlet = self.hamlets.get(options.hamlet_id) if options.hamlet_id else None

    def hamlet(self, value) -> int:
        raw = convert.text(value)
        key = " ".join(str(int(w)) if w.isdigit() else w for w in heading_key(raw).split())
        found = self.hamlet_index.get(key, 0)
        if found is None:
            raise Bad(N_("Tên thôn “%(value)s” trùng với nhiều thôn; hãy ghi đủ tên."), value=raw[:60])
        if not found:
            raise Bad(N_("Không tìm thấy thôn “%(value)s” trong địa bàn của bạn."), value=raw[:60])
        return found

    def deprivations(self, value) -> list[str]:
        if self.standard is None:
            raise Bad(self.standard_error)
        codes = []
        for token in convert.tokens(value):
            code = self.indicator_index.get(heading_key(token).replace("chi so ", ""))
            if code is None:
                raise Bad(N_("Chỉ số “%(value)s” không thuộc chuẩn nghèo %(years)s."),
                          value=token[:40], years=self.standard.years_label)
            codes.append(code)
        return codes

    def causes(self, value) -> list[str]:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(int(value))
        codes, unknown = self.cause_words(convert.text(value))
        if unknown:
            raise Bad(N_("Nguyên nhân nghèo “%(value)s” không có trong danh mục."),
                      value=unknown[0][:60])
        return codes


def _code_of(rows: dict[str, str], label: str) -> str | None:
    return next((code for code, lbl in rows.items() if fold(lbl) == fold(label)), None)


def _disability(value):
    try:
        return convert.mark(value), ""
    except Bad:
        return True, convert.limited(value, 255)


def _merit(lookup, value):
    """(category a)–m), written as a relative's): the list's codes and labels, the usual ways of
    writing them ("Con liệt sĩ", "TB 2/4", "Người HĐKC bị nhiễm CĐHH": imports.words); "đ" is
    its own letter (code dd), not the "d" folding would make it."""
    if convert.text(value).lower().rstrip(").").strip() in ("đ", "dd"):
        return "dd", False
    try:
        code = lookup(value, N_("Diện người có công “%(value)s” không có trong danh mục (a–m)."))
    except Bad:
        found = words.merit(convert.text(value))
        if found is None:
            raise
        return found
    return code, code == "c"


def converters(ctx: Context) -> dict:
    lk = ctx.lookup
    return {
        "household_code": convert.household_code, "hamlet": ctx.hamlet,
        "address": lambda v: convert.limited(v, 255), "head_name": lambda v: convert.limited(v, 120),
        "note": lambda v: convert.limited(v, 2000), "full_name": lambda v: convert.limited(v, 120),
        "is_ethnic_minority": convert.mark, "is_female_headed": convert.mark,
        "has_no_labour_capacity": convert.mark, "policy_group": lk["policy_group"],
        "relationship": lambda v: lk["relationship"](v, N_("Quan hệ với chủ hộ “%(value)s” không có trong danh mục.")),
        "birth_date": lambda v: convert.day(v, allow_year=True), "birth_year": convert.year,
        "birth_year_male": convert.year, "birth_year_female": convert.year, "sex": convert.sex,
        "ethnicity": lambda v: lk["ethnicity"](v, N_("Dân tộc “%(value)s” không có trong danh mục.")),
        "id_number": convert.id_number, "health_insurance_number": convert.health_insurance_number,
        "health_insurance_expiry": convert.day, "has_disability": _disability,
        "merit_category": lambda v: _merit(lk["merit_category"], v),
        "merit_relation": lk["merit_relation"], "merit_benefit": lk["merit_benefit"],
        "schooling": lk["schooling"], "work_status": lk["work_status"],
        "status": convert.status, "income": convert.money, "score_a": convert.integer,
        "deprivations": ctx.deprivations, "deprivation_count": convert.integer,
        "causes": ctx.causes, "decision_number": lambda v: convert.limited(v, 60),
        "decision_date": convert.day, "override_reason": lambda v: convert.limited(v, 500),
    }
