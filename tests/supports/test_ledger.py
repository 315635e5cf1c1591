"""The supports ledger as a service: record, reverse, verify, reject, totals, append-only."""
import os
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.core.audit import AuditLog
from app.supports import services
from app.supports.models import Evidence, LedgerError, Support
from tests.supports.helpers import (BASE, JPEG, PDF, colleague, household, plan_item, sponsor, support,
                                    upload, user)


def count(db, model=Support):
    return db.session.scalar(select(func.count()).select_from(model))


def test_record_copies_scope_and_is_pending(world, db):
    hh = household(world)
    row = support(world)
    assert row.verification == "pending"
    assert (row.province_id, row.district_id, row.commune_id, row.hamlet_id) == (
        hh.province_id, hh.district_id, hh.commune_id, hh.hamlet_id)
    assert row.recorded_by_id == world.users["commune1"]
    assert row.quantity == "2" and row.value_vnd == 24_000_000
    assert db.session.scalar(select(AuditLog).where(AuditLog.entity == "support",
                                                    AuditLog.entity_id == row.id)).action == "create"


@pytest.mark.parametrize("change, field", [
    ({"type_code": "no_such_type"}, "type_code"),
    ({"funding_source_code": "nowhere"}, "funding_source_code"),
    ({"value_vnd": -1}, "value_vnd"),
    ({"value_vnd": None}, "value_vnd"),
    ({"value_vnd": "1,5"}, "value_vnd"),
    ({"value_vnd": "24.000.000,5"}, "value_vnd"),
    ({"delivered_on": clock.today() + timedelta(days=1)}, "delivered_on"),
    ({"delivered_on": "31/02/2025"}, "delivered_on"),
    ({"quantity": "hai"}, "quantity"),
    ({"programme_code": "ntp_1999"}, "programme_code"),
    ({"funding_source_code": "vbsp_credit"}, "credit_programme_code"),
    ({"funding_source_code": "vbsp_credit", "credit_programme_code": "poor"}, "credit_term_months"),
    ({"funding_source_code": "vbsp_credit", "credit_programme_code": "poor",
      "credit_term_months": "0"}, "credit_term_months"),
    ({"funding_source_code": "vbsp_credit", "credit_programme_code": "poor",
      "credit_term_months": 36, "value_vnd": 0}, "value_vnd"),
])
def test_record_refusals(world, db, change, field):
    before = count(db)
    with pytest.raises(services.SupportRefused) as refused:
        services.record_support(household(world), {**BASE, **change}, user(world))
    assert refused.value.field == field
    assert count(db) == before


def test_credit_source_keeps_programme_and_term_others_drop_them(world, db):
    loan = support(world, type_code="vbsp_loan", funding_source_code="vbsp_credit",
                   credit_programme_code="poor", credit_term_months="60", value_vnd=50_000_000)
    assert (loan.credit_programme_code, loan.credit_term_months) == ("poor", 60)
    gift = support(world, credit_programme_code="poor", credit_term_months=60)
    assert (gift.credit_programme_code, gift.credit_term_months) == (None, None)


def test_plan_item_of_another_household_refused(world, db):
    other = plan_item(world, "C3")
    before = count(db)
    with pytest.raises(services.SupportRefused) as refused:
        support(world, plan_item_id=other.id)
    assert refused.value.field == "plan_item_id" and count(db) == before
    own = plan_item(world, "C1")
    assert support(world, plan_item_id=own.id).plan_item_id == own.id


def test_sponsor_outside_scope_refused(world, db):
    elsewhere = sponsor(world, province="P2", name="Công ty Tỉnh Hai")
    with pytest.raises(services.SupportRefused) as refused:
        support(world, provider_sponsor_id=elsewhere.id)
    assert refused.value.field == "provider_sponsor_id"
    near = sponsor(world)
    assert support(world, provider_sponsor_id=near.id).provider_sponsor_id == near.id


def test_reversal_balances_the_source_and_is_refused_twice(world, db):
    hh = household(world)
    kept = support(world, verified=True, value_vnd=5_000_000, funding_source_code="fund_poor")
    wrong = support(world, verified=True, value_vnd=24_000_000, funding_source_code="fund_poor")
    support(world, verified=True, value_vnd=3_000_000, funding_source_code="local_budget")
    assert services.balance_by_source(hh.id) == {"local_budget": 3_000_000, "fund_poor": 29_000_000}

    reversal = services.reverse_support(wrong, "Nhập nhầm giá trị", user(world))
    assert reversal.value_vnd == -24_000_000 and reversal.reverses_id == wrong.id
    assert reversal.verification == "verified" and reversal.delivered_on == wrong.delivered_on
    assert reversal.reversal_reason == "Nhập nhầm giá trị"
    assert services.balance_by_source(hh.id) == {"local_budget": 3_000_000, "fund_poor": 5_000_000}
    assert kept.value_vnd == 5_000_000
    totals = services.totals(hh.id)
    assert totals["total"] == 8_000_000 and totals["by_year"] == [(2025, 8_000_000, 0)]

    before = count(db)
    with pytest.raises(services.SupportRefused):
        services.reverse_support(wrong, "Đảo lần nữa", user(world))
    with pytest.raises(services.SupportRefused):
        services.reverse_support(reversal, "Đảo bút toán đảo", user(world))
    assert count(db) == before


def test_reversal_needs_reason_and_a_verified_entry(world, db):
    pending = support(world)
    with pytest.raises(services.SupportRefused):
        services.reverse_support(pending, "Nhập nhầm giá trị", user(world))
    done = support(world, verified=True)
    with pytest.raises(services.SupportRefused):
        services.reverse_support(done, "sai", user(world))


def test_totals_count_pending_but_not_rejected(world, db):
    hh = household(world)
    support(world, value_vnd=1_000_000)
    rejected = support(world, value_vnd=7_000_000)
    services.reject(rejected, "Không có biên nhận", user(world))
    support(world, verified=True, value_vnd=2_000_000, delivered_on=date(2026, 1, 5))
    totals = services.totals(hh.id)
    assert totals["total"] == 3_000_000 and totals["pending"] == 1_000_000
    assert totals["by_year"] == [(2026, 2_000_000, 0), (2025, 1_000_000, 1_000_000)]


def test_verify_and_reject_only_pending(world, db):
    row = support(world)
    with pytest.raises(services.SupportRefused) as refused:
        services.verify(row, user(world))           # four eyes: not by the recorder
    assert refused.value.field == "four_eyes"
    assert row.verification == "pending"
    services.verify(row, colleague(world))
    assert row.verification == "verified" and row.verified_by_id == colleague(world).id
    with pytest.raises(services.SupportRefused):
        services.verify(row, colleague(world))
    with pytest.raises(services.SupportRefused):
        services.reject(row, "Không đúng thực tế", user(world))
    other = support(world)
    with pytest.raises(services.SupportRefused):
        services.reject(other, "", user(world))
    services.reject(other, "Không đúng thực tế", user(world))
    assert other.verification == "rejected" and other.rejection_reason == "Không đúng thực tế"


@pytest.mark.parametrize("change", [{"value_vnd": 1}, {"description": "sửa mô tả"},
                                    {"funding_source_code": "local_budget"}])
def test_orm_refuses_edits_of_a_recorded_support(world, db, change):
    row = support(world)
    db.session.commit()
    for key, value in change.items():
        setattr(row, key, value)
    with pytest.raises(LedgerError):
        db.session.flush()
    db.session.rollback()


def test_orm_refuses_deleting_a_support(world, db):
    row = support(world)
    db.session.commit()
    db.session.delete(row)
    with pytest.raises(LedgerError):
        db.session.flush()
    db.session.rollback()


def test_attach_evidence_by_content(world, db, app):
    row = support(world)
    evidence = services.attach_evidence(row, upload(PDF, "../../etc/hoa don.exe"), user(world))
    assert evidence.content_type == "application/pdf"
    assert evidence.original_name == "hoa don.exe"
    assert len(evidence.stored_name) == 32 and "/" not in evidence.stored_name
    path = os.path.join(app.config["UPLOAD_DIR"], evidence.stored_name)
    with open(path, "rb") as f:
        assert f.read() == PDF
    before = count(db, Evidence)
    with pytest.raises(services.SupportRefused):
        services.attach_evidence(row, upload(b"just text", "anh.jpg"), user(world))
    assert count(db, Evidence) == before
    assert services.attach_evidence(row, upload(JPEG, "anh.jpg"), user(world)).content_type == "image/jpeg"


def test_evidence_file_removed_when_the_transaction_rolls_back(world, db, app):
    row = support(world)
    db.session.commit()
    evidence = services.attach_evidence(row, upload(JPEG, "anh.jpg"), user(world))
    path = os.path.join(app.config["UPLOAD_DIR"], evidence.stored_name)
    assert os.path.exists(path)
    db.session.rollback()
    assert not os.path.exists(path)
