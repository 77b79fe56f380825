"""Sessions made by imports (issue 15): every import used to make its own timestamped session
(27 files, 27 sessions in a day). A list may join the client's open session of today: a choice
on the import page (its default), `--add-to-open-session` on import_list, and
`add_to_open_session` on the API (default false: today's behaviour)."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from sessions.models import PackingSession
from tests.builders import build_client

pytestmark = pytest.mark.django_db

STANDARD = ["Order_Number", "SKU", "Product_Name", "Quantity", "Courier"]
FILE_URL = "/api/v1/imports/file/"
PUSH_URL = "/api/v1/imports/packing-list/"


def xlsx(number):
    book = openpyxl.Workbook()
    for row in [STANDARD, [number, "A", "Cream", "2", "DHL"]]:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(api, number, name="DHL.xlsx", **data):
    return api.post(FILE_URL, {"client": "M", "file": SimpleUploadedFile(name, xlsx(number)),
                               **data})


def sessions():
    return [(s.external_id, sorted(s.lists.values_list("name", flat=True)))
            for s in PackingSession.objects.order_by("created_at", "id")]


def test_the_api_keeps_one_session_per_import_by_default(api):
    assert upload(api, "#1").json()["created_session"]
    assert upload(api, "#2").json()["created_session"]
    assert len(sessions()) == 2


def test_the_api_flag_adds_lists_to_todays_open_session(api):
    first = upload(api, "#1", add_to_open_session="true").json()
    assert first["created_session"]  # none open yet: one is made
    second = upload(api, "#2", add_to_open_session="true").json()
    third = upload(api, "#3", name="Speedy.xlsx", add_to_open_session="true").json()
    assert not second["created_session"] and not third["created_session"]
    assert second["session"] == third["session"] == first["session"]
    assert sessions() == [(first["session_external_id"], ["DHL", "DHL (2)", "Speedy"])]


def test_a_push_without_session_id_joins_with_the_flag(api):
    body = {"client": "M", "list_name": "Push", "orders": [
        {"order_number": "#9", "courier": "DHL", "items": [{"sku": "A", "quantity": 1}]}]}
    joined = upload(api, "#1", add_to_open_session="true").json()
    response = api.post(PUSH_URL, {**body, "add_to_open_session": True}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["session"] == joined["session"]
    assert not response.json()["created_session"]
    other = api.post(PUSH_URL, {**body, "list_name": "Push2", "orders": [
        {"order_number": "#10", "courier": "DHL", "items": [{"sku": "A", "quantity": 1}]}]},
        format="json")
    assert other.json()["created_session"]  # default: a new session


def test_a_bad_flag_is_a_clear_400(api):
    response = upload(api, "#1", add_to_open_session="maybe")
    assert response.status_code == 400 and "add_to_open_session" in response.json()["message"]


def test_completed_or_yesterdays_sessions_are_not_joined(api):
    first = upload(api, "#1", add_to_open_session="true").json()
    PackingSession.objects.filter(pk=first["session"]).update(status="completed")
    second = upload(api, "#2", add_to_open_session="true").json()
    assert second["created_session"] and second["session"] != first["session"]
    PackingSession.objects.filter(pk=second["session"]).update(
        created_at=timezone.now() - timedelta(days=1))
    third = upload(api, "#3", add_to_open_session="true").json()
    assert third["created_session"]


def test_the_command_flag(supervisor, tmp_path):
    for number in ("#1", "#2"):
        path = tmp_path / f"L{number[1:]}.xlsx"
        path.write_bytes(xlsx(number))
        call_command("import_list", "--client", "M", "--add-to-open-session", str(path),
                     stdout=io.StringIO())
    assert len(sessions()) == 1 and sessions()[0][1] == ["L1", "L2"]
    path = tmp_path / "L3.xlsx"
    path.write_bytes(xlsx("#3"))
    call_command("import_list", "--client", "M", str(path), stdout=io.StringIO())
    assert len(sessions()) == 2


def test_the_import_page_preselects_the_only_client_and_joins_by_default(web):
    page = web.get("/imports/").content.decode()
    assert '<option value="M" selected>' in page and "---------" not in page
    assert 'name="session" value="open"' in page
    for number, name in (("#1", "A.xlsx"), ("#2", "B.xlsx")):
        response = web.post("/imports/", {"client": "M", "session": "open",
                                           "file": SimpleUploadedFile(name, xlsx(number))})
        preview = web.get(response["Location"]).content.decode()
        assert 'id="import-target"' in preview
        web.post(response["Location"], {})
    assert len(sessions()) == 1 and sessions()[0][1] == ["A", "B"]
    assert "joins today's open session" in preview
    response = web.post("/imports/", {"client": "M", "session": "new",
                                       "file": SimpleUploadedFile("C.xlsx", xlsx("#3"))})
    assert "A new session is made" in web.get(response["Location"]).content.decode()
    web.post(response["Location"], {})
    assert len(sessions()) == 2


def test_the_import_page_keeps_the_empty_choice_with_two_clients(web):
    build_client("N")
    page = web.get("/imports/").content.decode()
    assert "---------" in page
