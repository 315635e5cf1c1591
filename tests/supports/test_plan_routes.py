"""The support plan through HTTP: inline create / edit, stale edits, smuggled ids, the draft
from the latest review, overdue items, and the plan list across the area."""
from datetime import date, timedelta

from sqlalchemy import select

from app.core import clock
from app.core.audit import AuditLog
from app.supports.models import PlanItem, SuggestedAction
from tests.conftest import page_text
from tests.supports.helpers import plan_item, sponsor

TODAY = clock.today()


def items(db, household_id):
    db.session.expire_all()
    return db.session.scalars(select(PlanItem).where(PlanItem.household_id == household_id)
                              .order_by(PlanItem.id)).all()


def form(**change):
    data = {"need": "indicator:water", "action": "Hỗ trợ xây bể chứa nước 2 m³",
            "responsible_name": "Nguyễn Văn Cán", "due_on": "30/06/2026", "status": "planned",
            "dropped_reason": ""}
    data.update(change)
    return data


def test_create_inline_returns_the_panel(login_as, world, db):
    client = login_as("commune1")
    hh = world.households["C1"]
    response = client.form(f"/supports/households/{hh}/plan/new", form(), htmx=True)
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#plan-panel"
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="plan-panel"')
    assert "Hỗ trợ xây bể chứa nước 2 m³" in html and "30/06/2026" in html
    [item] = items(db, hh)
    assert (item.need_kind, item.need_code, item.status) == ("indicator", "water", "planned")
    assert item.commune_id == world.units["C1"] and item.created_by_id == world.users["commune1"]
    assert db.session.scalar(select(AuditLog.action).where(
        AuditLog.entity == "plan_item", AuditLog.entity_id == item.id)) == "create"


def test_plain_post_redirects_to_the_case_file(login_as, world, db):
    client = login_as("commune1")
    hh = world.households["C1"]
    response = client.form(f"/supports/households/{hh}/plan/new",
                           form(need="cause:no_capital", action="Vay vốn hộ nghèo"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/households/{hh}#plan-panel")
    assert items(db, hh)[0].need_label == "Không có vốn sản xuất kinh doanh"


def test_case_file_shows_the_panels(login_as, world, db):
    plan_item(world, "C1", action="Hỗ trợ bể chứa nước mưa")
    client = login_as("commune1")
    hh = world.households["C1"]
    html = client.get(f"/households/{hh}").get_data(as_text=True)
    # The case file holds the two panels as shells that load themselves from supports' URLs.
    assert 'id="plan-panel"' in html and 'id="supports-panel"' in html
    assert f'hx-get="/supports/households/{hh}/plan"' in html
    assert f'hx-get="/supports/households/{hh}/"' in html
    plan = client.htmx_get(f"/supports/households/{hh}/plan").get_data(as_text=True)
    assert plan.lstrip().startswith('<section id="plan-panel"')
    assert "Hỗ trợ bể chứa nước mưa" in plan
    assert "panel-placeholder\">Nguyên nhân nghèo" not in plan
    supports = client.htmx_get(f"/supports/households/{hh}/").get_data(as_text=True)
    assert supports.lstrip().startswith('<section id="supports-panel"')


def test_bad_input_is_422_in_vietnamese_and_writes_nothing(login_as, world, db):
    client = login_as("commune1")
    hh = world.households["C1"]
    for change, message in [({"need": "indicator:no_such"}, "Chọn nhu cầu"),
                            ({"action": ""}, "Không được để trống."),
                            ({"due_on": "31/02/2026"}, "Ngày không hợp lệ"),
                            ({"responsible_name": ""}, "Ghi người phụ trách hoặc chọn nhà tài trợ."),
                            ({"status": "dropped"}, "Dừng thực hiện: ghi lý do")]:
        response = client.form(f"/supports/households/{hh}/plan/new", form(**change), htmx=True)
        assert response.status_code == 422, change
        assert message in page_text(response), change
        assert response.get_data(as_text=True).lstrip().startswith('<div id="plan-form"')
    assert items(db, hh) == []


def test_sponsor_in_scope_accepted_outside_refused(login_as, world, db):
    client = login_as("commune1")
    hh = world.households["C1"]
    near, far = sponsor(world), sponsor(world, province="P2", name="Công ty Tỉnh Khác")
    db.session.commit()
    page = client.get(f"/supports/households/{hh}/plan/new").get_data(as_text=True)
    assert near.name in page and far.name not in page
    response = client.form(f"/supports/households/{hh}/plan/new",
                           form(responsible_name="", responsible_sponsor_id=far.id), htmx=True)
    assert response.status_code == 422 and "Nhà tài trợ không hợp lệ." in page_text(response)
    assert items(db, hh) == []
    response = client.form(f"/supports/households/{hh}/plan/new",
                           form(responsible_name="", responsible_sponsor_id=near.id), htmx=True)
    assert response.status_code == 200
    assert items(db, hh)[0].responsible_sponsor_id == near.id


def test_edit_with_version_and_stale_edit_409(login_as, world, db):
    item = plan_item(world, "C1")
    db.session.commit()
    client = login_as("commune1")
    page = client.htmx_get(f"/supports/plan/{item.id}/edit")
    assert page.status_code == 200 and 'name="version" type="hidden" value="1"' in page.get_data(as_text=True)
    response = client.form(f"/supports/plan/{item.id}/edit",
                           form(status="in_progress", version=1), htmx=True)
    assert response.status_code == 200 and response.headers["HX-Retarget"] == "#plan-panel"
    db.session.expire_all()
    assert (item.status, item.version) == ("in_progress", 2)

    stale = client.form(f"/supports/plan/{item.id}/edit",
                        form(status="done", action="Khác", version=1), htmx=True)
    assert stale.status_code == 409
    text = page_text(stale)
    assert "Hồ sơ vừa được người khác cập nhật." in text and "Đang thực hiện" in text
    assert 'value="2"' in stale.get_data(as_text=True)   # the form now carries the saved version
    db.session.expire_all()
    assert (item.status, item.version) == ("in_progress", 2)

    dropped = client.form(f"/supports/plan/{item.id}/edit",
                          form(status="dropped", dropped_reason="Hộ đã chuyển đi nơi khác", version=2),
                          htmx=True)
    assert dropped.status_code == 200
    db.session.expire_all()
    assert (item.status, item.dropped_reason) == ("dropped", "Hộ đã chuyển đi nơi khác")


def test_plan_item_of_another_commune_is_404(login_as, world, db):
    other = plan_item(world, "C3")
    db.session.commit()
    client = login_as("commune1")
    assert client.get(f"/supports/plan/{other.id}/edit").status_code == 404
    response = client.form(f"/supports/plan/{other.id}/edit", form(version=1), htmx=True)
    assert response.status_code == 404
    db.session.expire_all()
    assert other.version == 1 and other.action == "Hỗ trợ bể chứa nước"


def test_readers_see_the_panel_but_cannot_edit(login_as, world, db):
    plan_item(world, "C1")
    db.session.commit()
    client = login_as("massorg1")
    panel = client.htmx_get(f"/supports/households/{world.households['C1']}/plan")
    assert panel.status_code == 200 and "Hỗ trợ bể chứa nước" in panel.get_data(as_text=True)
    assert "Thêm mục kế hoạch" not in panel.get_data(as_text=True)
    assert client.get(f"/supports/households/{world.households['C1']}/plan/new").status_code == 403


def test_overdue_items_highlighted(login_as, world, db):
    plan_item(world, "C1", action="Việc đã trễ", due_on=TODAY - timedelta(days=1))
    plan_item(world, "C1", action="Việc xong dù trễ", due_on=TODAY - timedelta(days=30), status="done")
    plan_item(world, "C1", action="Việc còn hạn", due_on=TODAY + timedelta(days=10))
    db.session.commit()
    client = login_as("commune1")
    html = client.htmx_get(f"/supports/households/{world.households['C1']}/plan").get_data(as_text=True)
    rows = html.split('<tr id="plan-item-')[1:]
    late = [r for r in rows if 'class="overdue"' in r.split(">")[0]]
    assert len(rows) == 3 and len(late) == 1 and "Việc đã trễ" in late[0]
    assert "1 mục quá hạn." in html


def test_draft_from_review_creates_the_accepted_items(login_as, world, db):
    client = login_as("commune1")
    hh = world.households["C1"]
    page = client.htmx_get(f"/supports/households/{hh}/plan/draft")
    assert page.status_code == 200
    text = page_text(page)
    # The world's 2023 review: employment, water, latrine deprived; cause no_capital.
    for action in ("Giới thiệu việc làm, kết nối doanh nghiệp tuyển dụng",
                   "Hỗ trợ bể chứa, kết nối nước sinh hoạt", "Hỗ trợ xây nhà tiêu hợp vệ sinh",
                   "Vay vốn ưu đãi NHCSXH"):
        assert action in text
    assert "Tặng ti vi, radio" not in text
    ids = dict(db.session.execute(select(SuggestedAction.action, SuggestedAction.id)).all())
    chosen = [ids["Hỗ trợ bể chứa, kết nối nước sinh hoạt"], ids["Vay vốn ưu đãi NHCSXH"]]
    response = client.post(f"/supports/households/{hh}/plan/draft",
                           data={"accepted": chosen, "due_on": "31/12/2026",
                                 "responsible_name": "Cán bộ LĐTBXH"},
                           headers={"HX-Request": "true", "X-CSRFToken": client.csrf()})
    assert response.status_code == 200 and response.headers["HX-Retarget"] == "#plan-panel"
    made = items(db, hh)
    assert [(i.need_kind, i.need_code) for i in made] == [("indicator", "water"), ("cause", "no_capital")]
    assert {i.due_on for i in made} == {date(2026, 12, 31)}
    # Offered again, the planned ones are marked and not pre-selected.
    again = client.htmx_get(f"/supports/households/{hh}/plan/draft").get_data(as_text=True)
    assert again.count("đã có trong kế hoạch") == 2


def test_draft_refuses_a_suggestion_not_offered(login_as, world, db):
    client = login_as("commune1")
    hh = world.households["C1"]
    ids = dict(db.session.execute(select(SuggestedAction.action, SuggestedAction.id)).all())
    for accepted in ([ids["Tặng ti vi, radio"]], [ids["Vay vốn ưu đãi NHCSXH"], "999999"], []):
        response = client.post(f"/supports/households/{hh}/plan/draft",
                               data={"accepted": accepted, "due_on": "31/12/2026",
                                     "responsible_name": "Cán bộ"},
                               headers={"HX-Request": "true", "X-CSRFToken": client.csrf()})
        assert response.status_code == 422, accepted
    assert items(db, hh) == []


def test_plan_list_open_and_overdue_across_the_area(login_as, world, db):
    plan_item(world, "C1", action="C1 trễ hạn", due_on=TODAY - timedelta(days=3))
    plan_item(world, "C1", action="C1 còn hạn", due_on=TODAY + timedelta(days=3), status="in_progress")
    plan_item(world, "C1", action="C1 đã xong", status="done")
    plan_item(world, "C2", action="C2 trễ hạn", due_on=TODAY - timedelta(days=9))
    plan_item(world, "C3", action="C3 trễ hạn", due_on=TODAY - timedelta(days=9))
    db.session.commit()
    client = login_as("district1")
    text = page_text(client.get("/supports/plan"))
    assert "C1 trễ hạn" in text and "C1 còn hạn" in text and "C2 trễ hạn" in text
    assert "C1 đã xong" not in text and "C3 trễ hạn" not in text
    assert "2 mục quá hạn" in text and "In danh sách" in text
    overdue = client.htmx_get("/supports/plan?status=open&overdue=1", target="plan-results")
    assert overdue.get_data(as_text=True).lstrip().startswith('<section id="plan-results"')
    assert "C1 trễ hạn" in page_text(overdue) and "C1 còn hạn" not in page_text(overdue)
    hamlet = page_text(client.get(f"/supports/plan?hamlet={world.units['H2']}"))
    assert "C2 trễ hạn" in hamlet and "C1 trễ hạn" not in hamlet
    foreign = page_text(client.get(f"/supports/plan?hamlet={world.units['H3']}"))
    assert "trễ hạn" not in foreign
    done = page_text(client.get("/supports/plan?status=done"))
    assert "C1 đã xong" in done and "C1 trễ hạn" not in done


def test_plan_list_by_responsible_sponsor(login_as, world, db):
    near = sponsor(world)
    plan_item(world, "C1", action="Việc của nhà tài trợ", responsible_sponsor_id=near.id)
    plan_item(world, "C1", action="Việc của cán bộ")
    db.session.commit()
    client = login_as("commune1")
    text = page_text(client.get(f"/supports/plan?sponsor={near.id}"))
    assert "Việc của nhà tài trợ" in text and "Việc của cán bộ" not in text
    # A sponsor outside the user's directory filters to nothing, not to everything.
    far = sponsor(world, province="P2", name="Công ty Tỉnh Khác")
    plan_item(world, "C1", action="Việc của nơi khác", responsible_sponsor_id=far.id)
    db.session.commit()
    assert "Việc của" not in page_text(client.get(f"/supports/plan?sponsor={far.id}"))
