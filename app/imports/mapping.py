"""Which column holds what: the importable fields, the header row found under title rows
(one row, or two when merged group headings sit over sub-headings), and the field suggested for
each heading from its folded words. A mapping made once is saved per commune and applied again
when next year's file has the same headings."""
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from app.core.i18n import N_
from app.extensions import db
from app.imports.convert import fold
from app.imports.models import ImportMapping

HOUSEHOLD, MEMBER, REVIEW, INDICATOR = "household", "member", "review", "indicator"
GROUP_LABELS = {HOUSEHOLD: N_("Hộ gia đình"), MEMBER: N_("Thành viên (chủ hộ khi mỗi dòng là một hộ)"),
                REVIEW: N_("Kết quả rà soát năm"), INDICATOR: N_("Chỉ số thiếu hụt (đánh dấu x)")}


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    group: str
    # Folded headings that suggest this field. A heading equal to one wins; otherwise the
    # longest one found inside the heading as whole words. "=word": only an exact heading.
    synonyms: tuple[str, ...] = ()
    weight: dict = field(default_factory=dict)  # synonym → score, when not its length


FIELDS = [
    Field("household_code", N_("Mã hộ"), HOUSEHOLD, (
        "ma ho", "ma so ho", "ma ho gia dinh", "ma hgd", "so hieu ho", "ma so ho gia dinh", "=ma so")),
    Field("hamlet", N_("Thôn/tổ dân phố"), HOUSEHOLD, (
        "thon", "xom", "ban", "thon xom", "thon ban", "thon to", "to dan pho", "thon to dan pho",
        "ten thon", "thon xom ban", "khu pho", "=ap", "=to", "=khu", "=buon", "=ban", "dia ban")),
    Field("address", N_("Địa chỉ"), HOUSEHOLD, ("dia chi", "dia chi thuong tru", "noi o", "so nha")),
    Field("head_name", N_("Họ tên chủ hộ"), HOUSEHOLD, (
        "ho va ten chu ho", "ho ten chu ho", "ten chu ho", "chu ho", "chu ho ho va ten",
        "chu ho ho ten", "thong tin chu ho ho va ten", "thong tin chu ho ho ten"),
        {"chu ho": 1}),
    Field("is_ethnic_minority", N_("Hộ dân tộc thiểu số"), HOUSEHOLD, (
        "dan toc thieu so", "ho dan toc thieu so", "dtts", "ho dtts", "la dan toc thieu so")),
    Field("is_female_headed", N_("Phụ nữ làm chủ hộ"), HOUSEHOLD, (
        "phu nu lam chu ho", "nu chu ho", "chu ho la nu", "ho do phu nu lam chu ho")),
    Field("has_no_labour_capacity", N_("Hộ không còn khả năng lao động"), HOUSEHOLD, (
        "khong co kha nang lao dong", "khong con kha nang lao dong", "ho khong co kha nang lao dong",
        "ho khong con kha nang lao dong", "khong co lao dong", "ho khong co lao dong")),
    Field("policy_group", N_("Nhóm chính sách"), HOUSEHOLD, (
        "nhom chinh sach", "thuoc nhom chinh sach", "doi tuong chinh sach", "nhom doi tuong")),
    Field("note", N_("Ghi chú"), HOUSEHOLD, ("ghi chu",)),
    Field("full_name", N_("Họ và tên"), MEMBER, (
        "ho va ten", "ho ten", "ten", "ho va ten thanh vien", "ho ten thanh vien", "ten thanh vien",
        "ho va ten nguoi", "thanh vien ho va ten")),
    Field("relationship", N_("Quan hệ với chủ hộ"), MEMBER, (
        "quan he voi chu ho", "quan he", "moi quan he voi chu ho", "qh voi chu ho", "quan he chu ho",
        "quan he voi chu ho gia dinh")),
    Field("birth_date", N_("Ngày sinh"), MEMBER, (
        "ngay sinh", "ngay thang nam sinh", "ngay thang sinh", "sinh ngay", "ngay sinh dd mm yyyy")),
    Field("birth_year", N_("Năm sinh"), MEMBER, ("nam sinh", "nam sinh chu ho", "sinh nam")),
    Field("birth_year_male", N_("Năm sinh (cột Nam)"), MEMBER, (
        "nam sinh nam", "ngay thang nam sinh nam", "ngay sinh nam")),
    Field("birth_year_female", N_("Năm sinh (cột Nữ)"), MEMBER, (
        "nam sinh nu", "ngay thang nam sinh nu", "ngay sinh nu")),
    Field("sex", N_("Giới tính"), MEMBER, ("gioi tinh", "gioi", "nam nu", "nam hay nu")),
    Field("ethnicity", N_("Dân tộc"), MEMBER, ("dan toc",)),
    Field("id_number", N_("Số CCCD"), MEMBER, (
        "so cccd", "cccd", "can cuoc", "so can cuoc", "can cuoc cong dan", "so can cuoc cong dan",
        "so dinh danh", "so dinh danh ca nhan", "ma dinh danh", "cmnd", "so cmnd", "cmnd cccd",
        "so cmnd cccd", "so cccd cmnd", "cccd cmnd")),
    Field("health_insurance_number", N_("Số thẻ BHYT"), MEMBER, (
        "so the bhyt", "the bhyt", "ma the bhyt", "so bhyt", "ma so bhxh", "ma bhxh",
        "so the bao hiem y te", "the bao hiem y te", "the bhyt so the", "the bhyt so")),
    Field("health_insurance_expiry", N_("Hạn thẻ BHYT"), MEMBER, (
        "han the bhyt", "han su dung the bhyt", "han bhyt", "han su dung", "thoi han the bhyt",
        "ngay het han bhyt", "het han", "the bhyt han su dung", "the bhyt han the",
        "gia tri su dung den")),
    Field("has_disability", N_("Khuyết tật"), MEMBER, (
        "khuyet tat", "nguoi khuyet tat", "nkt", "dang tat", "dang khuyet tat",
        "dang muc do khuyet tat")),
    Field("merit_category", N_("Người có công (diện)"), MEMBER, (
        "nguoi co cong", "dien nguoi co cong", "doi tuong nguoi co cong", "ncc", "dien ncc",
        "nguoi co cong voi cach mang", "loai doi tuong nguoi co cong", "doi tuong ncc")),
    Field("merit_relation", N_("Quan hệ với người có công"), MEMBER, (
        "quan he voi nguoi co cong", "ban than than nhan", "ban than hay than nhan",
        "quan he ncc")),
    Field("merit_benefit", N_("Chế độ đang hưởng"), MEMBER, (
        "che do dang huong", "che do", "che do tro cap", "tro cap dang huong")),
    Field("schooling", N_("Trình độ/tình trạng đi học"), MEMBER, (
        "trinh do hoc van", "trinh do van hoa", "hoc van", "tinh trang di hoc", "trinh do")),
    Field("work_status", N_("Tình trạng việc làm"), MEMBER, (
        "tinh trang viec lam", "nghe nghiep", "cong viec", "viec lam hien nay",
        "nghe nghiep viec lam", "cong viec viec lam")),
    Field("status", N_("Phân loại hộ"), REVIEW, (
        "phan loai", "phan loai ho", "loai ho", "ket qua ra soat", "ket qua phan loai", "xep loai",
        "ho ngheo can ngheo", "ket qua ra soat phan loai")),
    Field("income", N_("Thu nhập bình quân (đồng/người/tháng)"), REVIEW, (
        "thu nhap binh quan", "thu nhap binh quan dau nguoi", "thu nhap bq", "thu nhap",
        "tnbq", "thu nhap binh quan nguoi thang", "thu nhap binh quan dau nguoi thang",
        "thu nhap binh quan dong nguoi thang")),
    Field("score_a", N_("Điểm A"), REVIEW, ("diem a", "tong diem a")),
    Field("deprivations", N_("Các chỉ số thiếu hụt (số hoặc tên)"), REVIEW, (
        "chi so thieu hut", "cac chi so thieu hut", "thieu hut", "chi so thieu hut dich vu xa hoi co ban",
        "cac chi so thieu hut dich vu xa hoi co ban", "thieu hut da chieu")),
    Field("deprivation_count", N_("Số chỉ số thiếu hụt (đối chiếu)"), REVIEW, (
        "so chi so thieu hut", "tong so chi so thieu hut", "diem b", "so chi so")),
    Field("causes", N_("Nguyên nhân nghèo"), REVIEW, ("nguyen nhan ngheo", "nguyen nhan")),
    Field("decision_number", N_("Số quyết định công nhận"), REVIEW, (
        "so quyet dinh", "quyet dinh so", "so qd", "quyet dinh cong nhan so")),
    Field("decision_date", N_("Ngày quyết định"), REVIEW, ("ngay quyet dinh", "ngay qd")),
    Field("override_reason", N_("Lý do (khi khác kết quả tính)"), REVIEW, ("ly do", "ly do dieu chinh")),
]
BY_NAME = {f.name: f for f in FIELDS}
INDICATOR_PREFIX = "ind:"
# Which fields make the file one row per member.
MEMBER_MODE_FIELDS = ("relationship",)


# The short names lists give the indicators' columns (folded), by indicator code: "Việc làm",
# "Người phụ thuộc", "BHYT", "Nhà tiêu HVS"… A heading ending with one of them (the sub-heading
# under a merged "Chỉ số thiếu hụt" group) is that indicator's column of marks.
INDICATOR_WORDS = {
    "employment": ("viec lam", "thieu viec lam", "lao dong viec lam"),
    "dependants": ("nguoi phu thuoc", "phu thuoc", "nguoi phu thuoc trong ho",
                   "ty le nguoi phu thuoc", "ty le phu thuoc"),
    "nutrition": ("dinh duong",),
    "health_insurance": ("bhyt", "bao hiem y te", "bao hiem"),
    "access_health": ("tiep can y te", "dich vu y te", "tiep can dich vu y te", "y te"),
    "adult_education": ("giao duc nguoi lon", "trinh do giao duc", "trinh do giao duc nguoi lon",
                        "giao duc cua nguoi lon", "trinh do giao duc cua nguoi lon", "giao duc"),
    "child_schooling": ("tre em di hoc", "di hoc cua tre em", "tinh trang di hoc cua tre em",
                        "tinh trang di hoc tre em", "tre em"),
    "housing_quality": ("chat luong nha o", "chat luong nha", "nha o"),
    "housing_area": ("dien tich nha o", "dien tich nha o binh quan", "dien tich nha",
                     "dien tich nha o binh quan dau nguoi", "dien tich", "dien tich binh quan"),
    "water": ("nguon nuoc", "nuoc sinh hoat", "nguon nuoc sinh hoat", "nuoc sach",
              "nuoc hop ve sinh", "nuoc"),
    "latrine": ("nha tieu", "nha tieu hvs", "nha tieu hop ve sinh", "nha tieu hop vs", "ho xi",
                "ho xi hop ve sinh", "ho xi nha tieu hop ve sinh", "nha ve sinh", "ho xi hvs"),
    "telecom": ("vien thong", "dich vu vien thong", "su dung dich vu vien thong", "dien thoai",
                "su dung vien thong"),
    "information_devices": ("tiep can thong tin", "phuong tien tiep can thong tin",
                            "phuong tien thong tin", "tai san tiep can thong tin",
                            "phuong tien phuc vu tiep can thong tin"),
    "information_assets": ("tiep can thong tin", "tai san tiep can thong tin",
                           "tai san phuc vu tiep can thong tin", "tai san thong tin"),
    "waste": ("rac thai", "thu gom rac", "thu gom rac thai", "xu ly rac thai", "thu gom xu ly rac thai"),
    "digital_services": ("dich vu so", "su dung dich vu so"),
}
# A heading ending with an indicator's name: that indicator, over a group word ("thiếu hụt").
_ENDING_BONUS = 100


def indicator_fields(standards, list_year: int | None = None) -> list[Field]:
    """One field per indicator code across the standards (labels of the latest), a column of
    marks (x) for each; with `list_year`, only the indicators of the standard governing it
    (numbered and labelled by it). Codes outside the year's standard are refused at the check."""
    seen: dict[str, Field] = {}
    chosen = sorted(standards, key=lambda s: s.list_year_from)
    if list_year is not None:
        chosen = [s for s in chosen if s.list_year_from <= list_year <= s.list_year_to] or chosen
    for standard in chosen:
        for ind in standard.indicators:
            key = heading_key(ind.label)
            previous = seen[ind.code].synonyms if ind.code in seen else ()
            names = (key,) + INDICATOR_WORDS.get(ind.code, ())
            synonyms = tuple(dict.fromkeys(previous + tuple(
                s for name in names for s in (name, "thieu hut " + name, "chi so thieu hut " + name,
                                              "chi so " + name))))
            label = f"{ind.number}. {ind.label}"
            seen[ind.code] = Field(INDICATOR_PREFIX + ind.code, label, INDICATOR, synonyms)
    return list(seen.values())


def all_fields(standards, list_year: int | None = None) -> list[Field]:
    return FIELDS + indicator_fields(standards, list_year)


def field_label(name: str, fields: list[Field]) -> str:
    for f in fields:
        if f.name == name:
            return f.label
    return name


# Headings -------------------------------------------------------------------------------

_NON_WORD = re.compile(r"[^0-9a-z]+")


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    return " ".join(str(value).split())


def heading_key(text) -> str:
    """"Họ và tên (chủ hộ)*" → "ho va ten chu ho": folded, punctuation and numbering gone."""
    return " ".join(_NON_WORD.sub(" ", fold(cell_text(text))).split())


def combine(upper, lower) -> list[str]:
    """Two heading rows as one: a group heading (merged across its columns, so written in the
    first one only) joined to each sub-heading under it; a heading alone in the upper row
    (merged down) kept as it is."""
    n = max(len(upper), len(lower))
    out, group = [], ""
    for j in range(n):
        u = cell_text(upper[j]) if j < len(upper) else ""
        low = cell_text(lower[j]) if j < len(lower) else ""
        if u:
            group = u if low else ""
        out.append(f"{u or group} {low}".strip() if low else u)
    return out


def _score(key: str, f: Field) -> int:
    best = 0
    padded = f" {key} "
    ending = f.group == INDICATOR
    for syn in f.synonyms:
        exact_only = syn.startswith("=")
        syn = syn.lstrip("=")
        if key == syn:
            return 1000 + len(syn)
        if not exact_only and f" {syn} " in padded:
            score = f.weight.get(syn, len(syn))
            if ending and padded.endswith(f" {syn} "):
                score += _ENDING_BONUS
            best = max(best, score)
    return best


def suggest(headings: list[str], fields: list[Field]) -> dict[int, str]:
    """Column index → field name, each field used once, strongest matches first."""
    candidates = []
    for col, heading in enumerate(headings):
        key = heading_key(heading)
        if not key:
            continue
        for f in fields:
            score = _score(key, f)
            if score:
                candidates.append((score, -col, col, f.name))
    taken_cols, taken_fields, mapping = set(), set(), {}
    for score, _, col, name in sorted(candidates, reverse=True):
        if col in taken_cols or name in taken_fields:
            continue
        mapping[col] = name
        taken_cols.add(col)
        taken_fields.add(name)
    return dict(sorted(mapping.items()))


@dataclass
class Header:
    rows: list[int]              # the sheet's row numbers of the heading rows
    headings: list[str]          # one per column (combined for two rows)
    data_from: int               # first data row number
    suggested: dict[int, str]

    @property
    def keys(self) -> list[str]:
        return [heading_key(h) for h in self.headings]


SCAN_ROWS = 30
_NUMBERING = re.compile(r"^\(?([0-9]{1,2}|[a-zA-Z])\)?[.]?$")


def _is_numbering(values) -> bool:
    """The row of column numbers under official headings: (1) (2) (3)… or A B 1 2…"""
    texts = [cell_text(v) for v in values if cell_text(v)]
    return len(texts) >= 2 and all(_NUMBERING.match(t) for t in texts)


def detect_header(rows: list[tuple[int, tuple]], fields: list[Field]) -> Header | None:
    """The heading row(s) among the first rows: where the most distinct fields are recognised
    (at least two); two rows combined only when that recognises more than either alone."""
    best, best_key = None, (1, 0)
    scan = rows[:SCAN_ROWS]
    for i, (number, values) in enumerate(scan):
        options = [([number], [cell_text(v) for v in values])]
        if i + 1 < len(scan):
            options.append(([number, scan[i + 1][0]], combine(values, scan[i + 1][1])))
        for used, headings in options:
            suggested = suggest(headings, fields)
            # More fields recognised; as many with one row as with two: the one row (a title
            # above the headings is no group heading).
            key = (len(suggested), -len(used))
            if key > best_key:
                best, best_key = (used, headings, suggested), key
    if best is None:
        return None
    used, headings, suggested = best
    last = used[-1]
    following = [(n, v) for n, v in rows if n > last]
    data_from = last + 1
    if following and _is_numbering(following[0][1]):
        data_from = following[0][0] + 1
    return Header(used, headings, data_from, suggested)


# The title rows ---------------------------------------------------------------------------

_REVIEW_YEAR = re.compile(r"\bra soat(?: [a-z]+){0,4} nam (\d{4})\b")
_YEAR = re.compile(r"\bnam (\d{4})\b")
_WORDS_DATE = re.compile(r"\bngay (\d{1,2}) thang (\d{1,2}) nam (\d{4})\b")
_DMY_DATE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b")


def title_dates(rows: list[tuple[int, tuple]], header: Header, today: date):
    """(review year, review date) read from the title rows above the headings: "… NĂM 2025",
    "kết quả rà soát năm 2024", "ngày 20 tháng 11 năm 2025" or "20/11/2025"; None for what is
    not there. A year without a date: the end of that year's periodic review (14 December), or
    today when that is later than today."""
    year, when = None, None
    for number, values in rows:
        if number >= header.rows[0]:
            break
        for value in values:
            key = fold(cell_text(value))
            if not key:
                continue
            found = _REVIEW_YEAR.search(key) or (None if year else _YEAR.search(key))
            for m in (_WORDS_DATE.search(key), _DMY_DATE.search(key)):
                if m and when is None:
                    try:
                        when = date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
                    except ValueError:
                        pass
            if found and 2000 <= int(found.group(1)) <= today.year:
                if year is None or _REVIEW_YEAR.search(key):
                    year = int(found.group(1))
    if when is not None and (when > today or (year and when.year != year)):
        when = None
    if year is None and when is not None:
        year = when.year
    if year is not None and when is None:
        when = min(date(year, 12, 14), today)
    return year, when


# Saved mappings --------------------------------------------------------------------------

def mapping_signature(keys: list[str]) -> list[str]:
    return sorted(k for k in keys if k)


def saved_for(commune_id: int, keys: list[str]) -> ImportMapping | None:
    """The commune's saved mapping made for these same headings (in any order), newest first."""
    signature = mapping_signature(keys)
    for saved in db.session.scalars(select(ImportMapping).where(
            ImportMapping.commune_id == commune_id).order_by(ImportMapping.updated_at.desc())):
        if mapping_signature(saved.headings or []) == signature:
            return saved
    return None


def apply_saved(saved: ImportMapping, keys: list[str], fields: list[Field]) -> dict[int, str]:
    known = {f.name for f in fields}
    return {col: saved.mapping[key] for col, key in enumerate(keys)
            if key and saved.mapping.get(key) in known}


def to_saved(mapping: dict[int, str], keys: list[str]) -> dict[str, str]:
    return {keys[col]: name for col, name in mapping.items() if col < len(keys) and keys[col]}
