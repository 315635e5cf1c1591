"""Vietnamese by default, English on request (POST /language, kept in the session), and an
English catalogue with a translation for every entry."""
import os
import re
import tempfile
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from app.core.units import LEVEL_LABELS
from app.households.models import STATUS_LABELS
from app.households.queries import FLAG_LABELS, SORT_LABELS
from tests.conftest import page_text

PO = Path(__file__).resolve().parents[2] / "app/translations/en/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _catalogue():
    with PO.open("rb") as f:
        return read_po(f, locale="en")


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogue():
    """`make test` compiles the catalogues first (`make translations`); a direct pytest run
    compiles a missing or outdated .mo here, as `pybabel compile --use-fuzzy` would."""
    mo = PO.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < PO.stat().st_mtime:
        fd, tmp = tempfile.mkstemp(dir=PO.parent, suffix=".mo.tmp")
        with os.fdopen(fd, "wb") as f:
            write_mo(f, _catalogue(), use_fuzzy=True)
        os.replace(tmp, mo)


def switch(client, lang, next_url="/login"):
    response = client.form("/language", {"lang": lang, "next": next_url})
    assert response.status_code == 303 and response.headers["Location"].endswith(next_url)
    return response


def test_default_is_vietnamese(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert "<h1>Đăng nhập</h1>" in html and "Tên đăng nhập" in html
    assert ">English</button>" in html


def test_switch_to_english_and_back(client):
    switch(client, "en")
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "<h1>Log in</h1>" in html and "Username" in html and "Password" in html
    assert "Đăng nhập" not in html and ">Tiếng Việt</button>" in html

    switch(client, "vi")
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="vi">' in html and "<h1>Đăng nhập</h1>" in html


def test_household_list_in_english(login_as):
    client = login_as("commune1")
    switch(client, "en", "/households/")
    response = client.get("/households/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Households</h1>" in html and "Hộ gia đình" not in html
    text = page_text(response)
    # Labels translated through a variable ({{ _(label) }}): status, sort, flag, row status.
    for english in ("Poor household", "Near-poor household", "Household head A→Z",
                    "Has a person with meritorious service", "Search by"):
        assert english in text, english


def test_error_page_in_english(client):
    switch(client, "en")
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page or record not found." in page_text(response)


def test_unsupported_language_is_ignored(client):
    switch(client, "fr")
    with client.session_transaction() as session:
        assert "lang" not in session
    assert '<html lang="vi">' in client.get("/login").get_data(as_text=True)

    switch(client, "en")
    switch(client, "xx-evil")
    with client.session_transaction() as session:
        assert session["lang"] == "en"


def test_every_entry_is_translated():
    catalogue = _catalogue()
    assert not catalogue.fuzzy
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        if not message.string or not message.string.strip():
            problems.append(f"empty: {message.id!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif sorted(PLACEHOLDER.findall(message.id)) != sorted(PLACEHOLDER.findall(message.string)):
            problems.append(f"placeholders differ: {message.id!r}")
    # `pybabel update` turns msgids it cannot find in the source into obsolete (#~) entries:
    # the hand-added dynamic labels need their source marked first (see README).
    problems += [f"obsolete: {msgid!r}" for msgid in catalogue.obsolete]
    assert not problems, "\n".join(problems)


def test_dynamic_labels_are_in_the_catalogue():
    """Texts rendered as {{ _(label) }} are invisible to pybabel: each must be in the .po."""
    catalogue = _catalogue()
    labels = [*STATUS_LABELS.values(), *FLAG_LABELS.values(), *SORT_LABELS.values(),
              *LEVEL_LABELS.values(), "Chưa rà soát"]
    missing = [label for label in labels if not (catalogue.get(label) and catalogue.get(label).string)]
    assert not missing, missing


def test_catalogue_compiles_without_errors():
    """What `pybabel compile` checks (make test stops on it): placeholders compatible between
    msgid and msgstr. A Vietnamese "% số hộ" reads as a "% s" placeholder: write "(%)"."""
    problems = [(message.id, [str(e) for e in errors]) for message, errors in _catalogue().check()]
    assert problems == []
