"""Lookup lists kept as data (seeded by migration, editable by admins): người có công
categories, relationships, ethnic groups, schooling levels, work status, benefit types."""
from flask import g, has_app_context
from sqlalchemy import String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class Lookup(db.Model):
    __tablename__ = "lookup"
    __table_args__ = (UniqueConstraint("kind", "code", name="uq_lookup_kind_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    code: Mapped[str] = mapped_column(String(30))
    label: Mapped[str] = mapped_column(String(200))
    sort_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    # A tree or grouping inside one kind (support types under their group, programme
    # projects under their programme), and a category (a funding source's kind: fund, credit…).
    parent_code: Mapped[str | None] = mapped_column(String(30))
    category: Mapped[str | None] = mapped_column(String(30))


def choices(kind: str, blank: str | None = None) -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(Lookup.code, Lookup.label).where(Lookup.kind == kind, Lookup.is_active.is_(True))
        .order_by(Lookup.sort_order, Lookup.label)).all()
    items = [(code, label) for code, label in rows]
    return ([("", blank)] if blank is not None else []) + items


def labels(kind: str) -> dict[str, str]:
    return labels_of(kind)[kind]


def labels_of(*kinds: str) -> dict[str, dict[str, str]]:
    """{kind: {code: label}} in one query, remembered for the rest of the request."""
    cache = g.setdefault("_lookup_labels", {}) if has_app_context() else {}
    missing = [k for k in kinds if k not in cache]
    if missing:
        for k in missing:
            cache[k] = {}
        for kind, code, label in db.session.execute(
                select(Lookup.kind, Lookup.code, Lookup.label).where(Lookup.kind.in_(missing))):
            cache[kind][code] = label
    return {k: cache[k] for k in kinds}


# The initial seed, inserted by migration 0001. Frozen: add or change rows in a new
# migration, never here (a fresh database would otherwise get them twice).
SEED = {
    "merit_category": [
        ("a", "a) Người hoạt động cách mạng trước ngày 01/01/1945"),
        ("b", "b) Người hoạt động cách mạng từ 01/01/1945 đến Tổng khởi nghĩa tháng Tám 1945"),
        ("c", "c) Liệt sĩ (thân nhân liệt sĩ)"),
        ("d", "d) Bà mẹ Việt Nam anh hùng"),
        ("dd", "đ) Anh hùng Lực lượng vũ trang nhân dân"),
        ("e", "e) Anh hùng Lao động trong thời kỳ kháng chiến"),
        ("g", "g) Thương binh, người hưởng chính sách như thương binh"),
        ("h", "h) Bệnh binh"),
        ("i", "i) Người hoạt động kháng chiến bị nhiễm chất độc hóa học"),
        ("k", "k) Người hoạt động cách mạng, kháng chiến bị địch bắt tù, đày"),
        ("l", "l) Người hoạt động kháng chiến giải phóng dân tộc, bảo vệ Tổ quốc, làm nghĩa vụ quốc tế"),
        ("m", "m) Người có công giúp đỡ cách mạng"),
    ],
    "merit_relation": [("self", "Bản thân"), ("relative", "Thân nhân")],
    "merit_benefit": [("monthly", "Trợ cấp hằng tháng"), ("one_time", "Trợ cấp một lần"),
                      ("pension", "Lương hưu"), ("social", "Trợ cấp bảo trợ xã hội"),
                      ("none", "Chưa hưởng")],
    "relationship": [("head", "Chủ hộ"), ("spouse", "Vợ/chồng"), ("child", "Con"),
                     ("parent", "Cha/mẹ"), ("grandparent", "Ông/bà"), ("grandchild", "Cháu"),
                     ("sibling", "Anh/chị/em"), ("in_law", "Con dâu/con rể"),
                     ("other", "Khác")],
    "schooling": [("none", "Chưa đi học"), ("preschool", "Mầm non"), ("primary", "Tiểu học"),
                  ("lower_secondary", "Trung học cơ sở"), ("upper_secondary", "Trung học phổ thông"),
                  ("vocational", "Trung cấp/nghề"), ("college", "Cao đẳng"),
                  ("university", "Đại học trở lên"), ("dropped", "Bỏ học")],
    "work_status": [("employed", "Có việc làm"), ("self_employed", "Tự làm nông nghiệp/kinh doanh"),
                    ("unemployed", "Thất nghiệp"), ("student", "Đang đi học"),
                    ("no_capacity", "Không có khả năng lao động"), ("retired", "Già/nghỉ hưu"),
                    ("child", "Trẻ em")],
    "ethnicity": [(code, name) for code, name in enumerate(
        ["Kinh", "Tày", "Thái", "Mường", "Khmer", "Hoa", "Nùng", "H'Mông", "Dao", "Gia Rai",
         "Ê Đê", "Ba Na", "Sán Chay", "Chăm", "Cơ Ho", "Xơ Đăng", "Sán Dìu", "Hrê", "Ra Glai",
         "Mnông", "Thổ", "Xtiêng", "Khơ mú", "Bru-Vân Kiều", "Cơ Tu", "Giáy", "Tà Ôi", "Mạ",
         "Giẻ-Triêng", "Co", "Chơ Ro", "Xinh Mun", "Hà Nhì", "Chu Ru", "Lào", "La Chí",
         "Kháng", "Phù Lá", "La Hủ", "La Ha", "Pà Thẻn", "Lự", "Ngái", "Chứt", "Lô Lô",
         "Mảng", "Cơ Lao", "Bố Y", "Cống", "Si La", "Pu Péo", "Rơ Măm", "Brâu", "Ơ Đu"],
        start=1)],
    "policy_group": [("social_protection", "Thuộc chính sách bảo trợ xã hội"),
                     ("poverty_policy", "Thuộc chính sách giảm nghèo")],
}


def seed_rows() -> list[dict]:
    return [{"kind": kind, "code": str(code), "label": label, "sort_order": i, "is_active": True}
            for kind, rows in SEED.items() for i, (code, label) in enumerate(rows)]


def grouped_choices(kind: str, group_kind: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(group label, [(code, label)…])…] for a <select> with <optgroup>s."""
    groups = db.session.execute(select(Lookup.code, Lookup.label).where(
        Lookup.kind == group_kind, Lookup.is_active.is_(True)).order_by(Lookup.sort_order)).all()
    rows = db.session.execute(select(Lookup.code, Lookup.label, Lookup.parent_code).where(
        Lookup.kind == kind, Lookup.is_active.is_(True)).order_by(Lookup.sort_order)).all()
    return [(label, [(c, lbl) for c, lbl, parent in rows if parent == code]) for code, label in groups]
