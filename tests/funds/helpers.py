"""Builders for the funds tests (inside the test's rolled-back transaction)."""
from datetime import date

from app.core.units import AdminUnit
from app.core.users import User
from app.extensions import db
from app.funds import services
from app.funds.models import Fund, FundEntry
from app.households.models import Household
from app.supports import services as support_services

DAY = date(2025, 3, 10)
# Why the Front approves a support the commune has not verified yet (the tests' supports are
# recorded without evidence and not verified: approving them needs a reason).
REASON = "Đã kiểm tra tại hộ, có biên nhận giấy"


def unit(world, code) -> AdminUnit:
    return db.session.get(AdminUnit, world.units[code])


def user(world, name="massorg1") -> User:
    return db.session.get(User, world.users[name])


def fund(world, code="C1", kind="poor", source="fund_poor", name=None) -> Fund:
    row = services.create_fund(unit(world, code), {"kind": kind, "funding_source_code": source,
                                                   "name": name}, None)
    db.session.flush()
    return row


def receipt(fund_row, amount, day=DAY, donor="Công ty TNHH Lúa Vàng", kind="business",
            campaign="Tháng cao điểm Vì người nghèo") -> FundEntry:
    return services.record_receipt(fund_row, {
        "entry_date": day, "donor_name": donor, "donor_kind": kind, "campaign": campaign,
        "amount": amount, "document_number": "PT-01"}, None)


def spend(fund_row, amount, day=DAY, purpose="Cứu trợ lũ lụt thôn Đông") -> FundEntry:
    return services.record_spend(fund_row, {"entry_date": day, "purpose": purpose,
                                            "amount": amount, "document_number": "PC-01"}, None)


def support(world, commune="C1", value=5_000_000, source="fund_poor", type_code="livestock",
            day=DAY, officer="commune1", **extra):
    """A support recorded through the supports service (which creates the disbursement)."""
    household = db.session.get(Household, world.households[commune])
    return support_services.record_support(household, {
        "delivered_on": day, "type_code": type_code, "description": "2 con bê giống",
        "value_vnd": value, "funding_source_code": source, **extra}, user(world, officer))


def disbursement(support_row) -> FundEntry:
    return services.disbursement_of(support_row.id)


# For tests/core/test_access_matrix.py: ids of `commune`'s objects, made when missing.

def matrix_fund_id(world, db_, commune) -> int:
    from sqlalchemy import select
    fund_id = db_.session.scalar(select(Fund.id).where(Fund.unit_id == world.units[commune]))
    if fund_id is None:   # a plain row: the matrix counts audit rows, the service writes one
        lineage = unit(world, commune).lineage()
        row = Fund(unit_id=world.units[commune], province_id=lineage["province"],
                   district_id=lineage["district"], commune_id=lineage["commune"], kind="poor",
                   name=f"Quỹ Vì người nghèo {commune}", funding_source_code="fund_poor")
        db_.session.add(row)
        db_.session.commit()
        fund_id = row.id
    return fund_id


def matrix_entry_id(world, db_, commune) -> int:
    """A pending disbursement (awaiting the Front) of `commune`'s fund."""
    from sqlalchemy import select
    fund_id = matrix_fund_id(world, db_, commune)
    entry_id = db_.session.scalar(select(FundEntry.id).where(FundEntry.fund_id == fund_id))
    if entry_id is None:
        entry = FundEntry(fund_id=fund_id, kind="disbursement", amount=1_000_000, entry_date=DAY,
                          purpose="Hỗ trợ mua giống", state="pending")
        db_.session.add(entry)
        db_.session.commit()
        entry_id = entry.id
    return entry_id
