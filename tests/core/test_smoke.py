from app.households.models import Household
from sqlalchemy import select, func


def test_world_built(db, world):
    assert db.session.scalar(select(func.count()).select_from(Household)) == 5


def test_login_and_list(login_as):
    client = login_as("commune1")
    response = client.get("/households/")
    assert response.status_code == 200
    assert "Nguyễn Văn An" in response.get_data(as_text=True)
