"""Funds through HTTP the way the browser uses them: the Front records and reviews, commune
officers read and reply, district officers read, sponsors and admins see no fund."""

from sqlalchemy import func, select

from app.core import clock
from app.core.audit import AuditLog
from app.funds.models import Fund, FundEntry, FundReviewEvent
from app.funds.services import balance
from tests.conftest import page_text
from tests.core.test_i18n import compiled_catalogue  # noqa: F401 (the English catalogue, compiled)
from tests.funds import helpers as h


def _entries(db):
    return db.session.scalar(select(func.count()).select_from(FundEntry))


def _ledger_setup(world, db, amount=10_000_000):
    fund = h.fund(world, "C1")
    h.receipt(fund, amount)
    db.session.commit()
    return fund


def test_front_creates_the_fund_of_its_unit(login_as, world, db):
    client = login_as("massorg1")
    assert client.get("/funds/new").status_code == 200
    response = client.form("/funds/new", {"kind": "poor", "name": "",
                                          "funding_source_code": "fund_poor"})
    assert response.status_code == 303
    fund = db.session.scalar(select(Fund).where(Fund.unit_id == world.units["C1"]))
    assert fund.name == "Quỹ Vì người nghèo Xã Một" and fund.funding_source_code == "fund_poor"
    assert response.headers["Location"].endswith(f"/funds/{fund.id}")
    # The same source twice at one unit: 422 with the reason, nothing added.
    again = client.form("/funds/new", {"kind": "poor", "name": "Quỹ khác",
                                       "funding_source_code": "fund_poor"})
    assert again.status_code == 422 and "đã có quỹ gắn với nguồn kinh phí này" in page_text(again)
    assert db.session.scalar(select(func.count()).select_from(Fund)) == 1


def test_receipt_through_htmx_updates_the_book(login_as, world, db):
    fund = _ledger_setup(world, db)
    client = login_as("massorg1")
    page = client.get(f"/funds/{fund.id}")
    assert page.status_code == 200 and 'id="receipt-form"' in page.get_data(as_text=True)
    response = client.form(f"/funds/{fund.id}/receipts", {
        "entry_date": "15/03/2025", "donor_name": "Ngân hàng Nông nghiệp", "donor_kind": "agency",
        "campaign": "Tháng cao điểm Vì người nghèo", "amount": "2.500.000",
        "document_number": "PT-07"}, htmx=True)
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#fund-book"
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="fund-book">')
    assert "12.500.000 đ" in html and "Ngân hàng Nông nghiệp" in html
    assert balance(fund.id) == 12_500_000
    # A bad amount: the form again, 422, in place; nothing written.
    before = _entries(db)
    bad = client.form(f"/funds/{fund.id}/receipts", {
        "entry_date": "15/03/2025", "donor_name": "X", "donor_kind": "agency", "amount": "abc"},
        htmx=True)
    assert bad.status_code == 422
    assert bad.get_data(as_text=True).lstrip().startswith('<div id="receipt-form">')
    assert "Số tiền không hợp lệ" in page_text(bad)
    assert _entries(db) == before
    # A plain form post redirects (303) to the fund.
    plain = client.form(f"/funds/{fund.id}/receipts", {
        "entry_date": "16/03/2025", "donor_name": "Bà Lê Thị Hoa", "donor_kind": "individual",
        "amount": "500000"})
    assert plain.status_code == 303 and plain.headers["Location"].endswith(f"/funds/{fund.id}")


def test_spend_beyond_the_balance_is_refused_in_place(login_as, world, db):
    fund = _ledger_setup(world, db, 1_000_000)
    client = login_as("massorg1")
    before = _entries(db)
    response = client.form(f"/funds/{fund.id}/spends", {
        "entry_date": "15/03/2025", "purpose": "Cứu trợ", "amount": "1.000.001",
        "document_number": "PC-9"}, htmx=True)
    assert response.status_code == 422
    assert 'id="spend-form"' in response.get_data(as_text=True)
    assert "Số dư quỹ không đủ" in page_text(response)
    assert _entries(db) == before and balance(fund.id) == 1_000_000


def _province_front(world, db):
    """The province's Front runs the province fund; the shared world has no such user."""
    from app.core.users import Role, User
    from tests.conftest import PASSWORD
    front = User(username="mttq-tinh", full_name="MTTQ tỉnh", role=Role.MASS_ORG,
                 unit_id=world.units["P1"])
    front.set_password(PASSWORD)
    db.session.add(front)
    db.session.commit()
    return front


def test_transfer_and_reversal_through_http(login_as, world, db):
    commune, provincial = h.fund(world, "C1"), h.fund(world, "P1")
    h.receipt(provincial, 6_000_000)
    _province_front(world, db)
    client = login_as("mttq-tinh")
    page = client.get(f"/funds/{provincial.id}").get_data(as_text=True)
    assert f'<option value="{commune.id}">' in page        # the commune fund is a target
    response = client.form(f"/funds/{provincial.id}/transfers", {
        "to_fund_id": commune.id, "entry_date": "20/03/2025", "amount": "4.000.000",
        "document_number": "CV-15", "purpose": "Phân bổ đợt 1"}, htmx=True)
    assert response.status_code == 200, page_text(response)
    assert balance(provincial.id) == 2_000_000 and balance(commune.id) == 4_000_000
    out = db.session.scalar(select(FundEntry).where(FundEntry.fund_id == provincial.id,
                                                    FundEntry.kind == "transfer_out"))
    refused = client.form(f"/funds/entries/{out.id}/reverse", {"reason": "x"}, htmx=True)
    assert refused.status_code == 422 and "Lý do" in page_text(refused)
    done = client.form(f"/funds/entries/{out.id}/reverse", {"reason": "Chuyển nhầm quỹ"}, htmx=True)
    assert done.status_code == 200 and done.headers["HX-Retarget"] == "#fund-book"
    assert balance(provincial.id) == 6_000_000 and balance(commune.id) == 0
    # The province's Front reads the commune fund, but does not run it.
    assert client.get(f"/funds/{commune.id}").status_code == 200
    assert client.form(f"/funds/{commune.id}/receipts", {
        "entry_date": "15/03/2025", "donor_name": "A", "donor_kind": "agency",
        "amount": "1000"}).status_code == 403


def test_review_approve_and_query_in_place(login_as, world, db):
    fund = _ledger_setup(world, db)
    first = h.disbursement(h.support(world, value=3_000_000))
    second = h.disbursement(h.support(world, value=2_000_000))
    db.session.commit()
    client = login_as("massorg1")
    listing = client.get("/funds/review?state=open&from=01/01/2025")
    html = listing.get_data(as_text=True)
    assert listing.status_code == 200 and f'id="entry-{first.id}"' in html and "HH-C1" in html

    approved = client.form(f"/funds/entries/{first.id}/approve", {"reason": h.REASON},
                           htmx=True, headers={"HX-Target": f"entry-{first.id}"})
    assert approved.status_code == 200
    row = approved.get_data(as_text=True)
    assert row.lstrip().startswith(f'<tr id="entry-{first.id}">') and "Đã duyệt chi" in row
    assert 'id="awaiting-count" hx-swap-oob="true"' in row
    assert balance(fund.id) == 7_000_000

    empty = client.form(f"/funds/entries/{second.id}/query", {"comment": " "},
                        htmx=True, headers={"HX-Target": f"entry-{second.id}"})
    assert empty.status_code == 422 and "Ghi nội dung cần làm rõ" in page_text(empty)
    assert empty.get_data(as_text=True).lstrip().startswith(f'<tr id="entry-{second.id}">')
    queried = client.form(f"/funds/entries/{second.id}/query",
                          {"comment": "Đề nghị bổ sung biên bản bàn giao bê giống"},
                          htmx=True, headers={"HX-Target": f"entry-{second.id}"})
    assert queried.status_code == 200 and "Đang chất vấn" in page_text(queried)
    events = db.session.scalars(select(FundReviewEvent.action).where(
        FundReviewEvent.entry_id.in_((first.id, second.id))).order_by(FundReviewEvent.id)).all()
    assert events == ["approve", "query"]
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.entity == "fund_entry", AuditLog.action.in_(("approve", "query")))) == 2

    # The commune officer sees the query and its thread, replies, and cannot decide.
    client.post("/logout", data={"csrf_token": client.csrf()})
    officer = login_as("commune1")
    home = page_text(officer.get("/funds/"))
    assert "Đề nghị bổ sung biên bản bàn giao bê giống" in home
    detail = officer.get(f"/funds/entries/{second.id}")
    assert detail.status_code == 200 and "Trả lời, giải trình" in page_text(detail)
    reply = officer.form(f"/funds/entries/{second.id}/comment",
                         {"comment": "Xã đã bổ sung biên bản ngày 20/3"}, htmx=True,
                         headers={"HX-Target": "entry-detail"})
    assert reply.status_code == 200
    assert reply.get_data(as_text=True).lstrip().startswith('<div id="entry-detail">')
    assert "Xã đã bổ sung biên bản ngày 20/3" in page_text(reply)
    for action in ("approve", "query", "cancel", "reverse"):
        assert officer.form(f"/funds/entries/{second.id}/{action}",
                            {"comment": "duyệt", "reason": "lý do dài"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(FundEntry, second.id).state == "queried"


def test_plain_post_redirects_back_to_the_list(login_as, world, db):
    _ledger_setup(world, db)
    entry = h.disbursement(h.support(world, value=1_000_000))
    db.session.commit()
    client = login_as("massorg1")
    response = client.form(f"/funds/entries/{entry.id}/approve",
                           {"next": "/funds/review?state=open", "reason": h.REASON})
    assert response.status_code == 303 and response.headers["Location"].endswith("/funds/review?state=open")
    evil = h.disbursement(h.support(world, value=1_000_000))
    db.session.commit()
    response = client.form(f"/funds/entries/{evil.id}/approve", {"next": "https://evil.example/",
                                                                 "reason": h.REASON})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/funds/entries/{evil.id}")


def test_commune_officer_reads_but_cannot_post_fund_entries(login_as, world, db):
    fund = _ledger_setup(world, db)
    client = login_as("commune1")
    page = client.get(f"/funds/{fund.id}")
    assert page.status_code == 200 and 'id="receipt-form"' not in page.get_data(as_text=True)
    before = _entries(db)
    for path, data in [("receipts", {"entry_date": "15/03/2025", "donor_name": "A",
                                     "donor_kind": "agency", "amount": "1000"}),
                       ("spends", {"entry_date": "15/03/2025", "purpose": "B", "amount": "1000",
                                   "document_number": "PC"}),
                       ("transfers", {"to_fund_id": fund.id, "amount": "1000"})]:
        assert client.form(f"/funds/{fund.id}/{path}", data).status_code == 403
        assert client.form(f"/funds/{fund.id}/{path}", data, htmx=True).status_code == 403
    assert client.get("/funds/new").status_code == 403
    assert _entries(db) == before


def test_district_officer_reads_only(login_as, world, db):
    fund = _ledger_setup(world, db)
    client = login_as("district1")
    assert client.get("/funds/").status_code == 200
    assert "Xã Một" in page_text(client.get("/funds/"))
    assert client.get(f"/funds/{fund.id}").status_code == 200
    assert client.form(f"/funds/{fund.id}/receipts", {"amount": "1"}).status_code == 403


def test_sponsors_and_admins_see_no_fund(login_as, world, db):
    fund = _ledger_setup(world, db)
    entry = h.disbursement(h.support(world, value=1_000_000))
    db.session.commit()
    for username in ("sponsor1", "admin"):
        client = login_as(username)
        for url in ("/funds/", f"/funds/{fund.id}", "/funds/review", f"/funds/entries/{entry.id}",
                    f"/funds/{fund.id}/disclosure", f"/funds/{fund.id}/disclosure.xlsx"):
            response = client.get(url)
            assert response.status_code in (403, 404), (username, url)
            assert "Quỹ Vì người nghèo Xã Một" not in response.get_data(as_text=True)
        client.post("/logout", data={"csrf_token": client.csrf()})


def test_funds_are_scoped(login_as, world, db):
    mine = _ledger_setup(world, db)
    other = h.fund(world, "C3")
    h.receipt(other, 1_000_000)
    theirs = h.disbursement(h.support(world, commune="C3", officer="commune3", value=500_000))
    db.session.commit()
    client = login_as("massorg1")
    assert client.get(f"/funds/{other.id}").status_code == 404
    assert client.get(f"/funds/entries/{theirs.id}").status_code == 404
    assert client.form(f"/funds/entries/{theirs.id}/approve", {}).status_code == 404
    assert client.form(f"/funds/{other.id}/receipts", {"amount": "1"}).status_code == 404
    assert "Xã Ba" not in page_text(client.get("/funds/"))
    assert f'id="entry-{theirs.id}"' not in client.get(
        "/funds/review?from=01/01/2025").get_data(as_text=True)
    # A transfer target smuggled in a form: refused, nothing written.
    before = _entries(db)
    response = client.form(f"/funds/{mine.id}/transfers", {
        "to_fund_id": other.id, "entry_date": "15/03/2025", "amount": "1000",
        "document_number": "CV"})
    assert response.status_code == 422 and _entries(db) == before
    db.session.expire_all()
    assert db.session.get(FundEntry, theirs.id).state == "pending"


def test_province_fund_item_reaches_the_commune_officer(login_as, world, db):
    province = h.fund(world, "P1")
    h.receipt(province, 5_000_000)
    entry = h.disbursement(h.support(world, value=1_000_000))
    assert entry.fund_id == province.id
    db.session.commit()
    officer = login_as("commune1")
    assert officer.get(f"/funds/{province.id}").status_code == 404    # not its fund's book
    assert officer.get(f"/funds/entries/{entry.id}").status_code == 200  # but its household's item
    officer.post("/logout", data={"csrf_token": officer.csrf()})
    front = login_as("massorg1")
    assert front.form(f"/funds/entries/{entry.id}/approve", {}).status_code in (403, 404)
    db.session.expire_all()
    assert db.session.get(FundEntry, entry.id).state == "pending"


def test_dashboard_chart_and_awaiting(login_as, world, db):
    fund = _ledger_setup(world, db)
    h.disbursement(h.support(world, value=1_000_000))
    today = clock.today()
    h.receipt(fund, 3_000_000, day=today)
    h.spend(fund, 1_200_000, day=today)
    db.session.commit()
    client = login_as("massorg1")
    html = client.get("/funds/").get_data(as_text=True)
    assert "<svg" in html and 'class="bar-in"' in html and "<script" not in html.split("</head>")[1]
    assert "11.800.000 đ" in html            # balance
    assert "Khoản chi chờ xét duyệt" in html and "(1)" in html
    partial = client.htmx_get(f"/funds/?fund={fund.id}", target="fund-chart")
    assert partial.get_data(as_text=True).lstrip().startswith('<section id="fund-chart"')
    # This month in the figures under the chart: received 3.000.000, spent 1.200.000.
    month = f"{today.month:02d}/{today.year} 3.000.000 đ 1.200.000 đ"
    assert month in page_text(client.get("/funds/"))


def test_support_state_partial(app, login_as, world, db):
    _ledger_setup(world, db)
    support = h.support(world, value=1_000_000)
    db.session.commit()
    client = login_as("commune1")
    client.get("/funds/")   # a request context with the officer logged in
    with app.test_request_context():
        from flask import render_template
        from flask_login import login_user
        login_user(h.user(world, "commune1"))
        html = render_template("funds/_support_fund_state.html", support=support)
    assert f'id="support-fund-state-{support.id}"' in html and "Chờ duyệt chi" in html


def test_case_file_shows_the_disbursement_state(login_as, world, db):
    _ledger_setup(world, db)
    support = h.support(world, value=1_000_000)
    entry = h.disbursement(support)
    db.session.commit()
    client = login_as("commune1")
    hh = world.households["C1"]
    # The case file's supports panel, which the case page loads from the supports blueprint.
    assert f'hx-get="/supports/households/{hh}/"' in client.get(f"/households/{hh}").get_data(
        as_text=True)
    html = client.htmx_get(f"/supports/households/{hh}/").get_data(as_text=True)
    assert f'id="support-fund-state-{support.id}"' in html and "Chờ duyệt chi" in html
    assert f'href="/funds/entries/{entry.id}"' in html


def test_fund_pages_in_english(login_as, world, db):
    fund = _ledger_setup(world, db)
    h.disbursement(h.support(world, value=1_000_000))
    db.session.commit()
    client = login_as("massorg1")
    client.form("/language", {"lang": "en", "next": "/funds/"})
    text = page_text(client.get("/funds/"))
    for english in ("Fund balances", "Payments awaiting review", "Awaiting approval",
                    "Receipts and spending per month"):
        assert english in text, english
    assert "Public statement of receipts" in page_text(client.get(f"/funds/{fund.id}/disclosure"))
