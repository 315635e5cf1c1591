"""The verification queue: pending supports of the commune, decided inline (row swap and an
out-of-band counter), a reason required to reject, a second decision refused."""
from app.supports.models import Support
from tests.conftest import page_text
from tests.supports.helpers import colleague, support


def state(db, row):
    db.session.expire_all()
    return db.session.get(Support, row.id)


def test_queue_lists_pending_supports_in_the_commune_only(login_as, world, db):
    mine = support(world, description="Bê giống xã Một")
    support(world, verified=True, description="Đã xác minh rồi")
    support(world, "C3", description="Bê giống xã Ba")
    db.session.commit()
    client = login_as("commune1")
    response = client.get("/supports/verify")
    assert response.status_code == 200
    text = page_text(response)
    assert "Bê giống xã Một" in text and "Bê giống xã Ba" not in text and "Đã xác minh rồi" not in text
    assert f'id="verify-row-{mine.id}"' in response.get_data(as_text=True)
    assert '<strong id="verify-count">1</strong>' in response.get_data(as_text=True)


def test_verify_inline_swaps_the_row_and_the_counter(login_as, world, db):
    first, second = support(world, by=colleague(world)), support(world, by=colleague(world))
    db.session.commit()
    client = login_as("commune1")
    response = client.form(f"/supports/{first.id}/verify", htmx=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<tr id="verify-row-{first.id}"')
    assert "Đã xác minh" in html
    assert '<strong id="verify-count" hx-swap-oob="true">1</strong>' in html
    row = state(db, first)
    assert row.verification == "verified" and row.verified_by_id == world.users["commune1"]
    assert state(db, second).verification == "pending"

    again = client.form(f"/supports/{first.id}/verify", htmx=True)
    assert again.status_code == 409 and "đã được xử lý" in page_text(again)


def test_reject_needs_a_reason(login_as, world, db):
    row = support(world)
    db.session.commit()
    client = login_as("commune1")
    response = client.form(f"/supports/{row.id}/reject", {"reason": ""}, htmx=True)
    assert response.status_code == 422 and "Không được để trống." in page_text(response)
    assert state(db, row).verification == "pending"
    response = client.form(f"/supports/{row.id}/reject", {"reason": "Hộ chưa nhận được bê"}, htmx=True)
    assert response.status_code == 200 and "Hộ chưa nhận được bê" in page_text(response)
    decided = state(db, row)
    assert decided.verification == "rejected" and decided.rejection_reason == "Hộ chưa nhận được bê"


def test_plain_post_redirects_back_to_the_queue(login_as, world, db):
    row = support(world, by=colleague(world))
    db.session.commit()
    client = login_as("commune1")
    response = client.form(f"/supports/{row.id}/verify")
    assert response.status_code == 303 and response.headers["Location"].endswith("/supports/verify")
    bad = client.form(f"/supports/{support(world).id}/reject", {"reason": "x"})
    assert bad.status_code == 422 and "Lý do từ 5 đến 500 ký tự." in page_text(bad)


def test_other_commune_and_other_roles_refused(login_as, world, db, client):
    other = support(world, "C3")
    db.session.commit()
    officer = login_as("commune1")
    assert officer.form(f"/supports/{other.id}/verify", htmx=True).status_code == 404
    assert state(db, other).verification == "pending"
    client.post("/logout", data={"csrf_token": client.csrf()})
    district = login_as("district1")
    assert district.get("/supports/verify").status_code == 403
    assert district.form(f"/supports/{other.id}/verify", htmx=True).status_code == 403
