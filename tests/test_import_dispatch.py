"""One decision picks the importer (sessions/imports/dispatch.py): the web page, the API and
`import_list` accept the same kinds of file and refuse the rest with the same message."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client as WebClient
from rest_framework.test import APIClient

from profiles.models import Client
from sessions.errors import ImportRejected
from sessions.imports.dispatch import PACKING_LIST_JSON, SESSION, SPREADSHEET, kind_of
from sessions.models import PackingList
from tests.builders import build_user

pytestmark = pytest.mark.django_db

LISTING = {"list_name": "DHL_Orders", "session_id": "2026-03-02_1", "orders": [
    {"order_number": "#1001", "courier": "DHL",
     "items": [{"sku": "A", "product_name": "Крем", "quantity": 2}]}]}


@pytest.fixture
def client_m():
    return Client.objects.create(code="M", name="Client M")


@pytest.mark.parametrize("name, kind", [
    ("list.xlsx", SPREADSHEET), ("list.XLS", SPREADSHEET), ("list.csv", SPREADSHEET),
    ("list.json", PACKING_LIST_JSON), ("2026-03-02_1.zip", SESSION),
])
def test_kind_of_file_names(name, kind):
    assert kind_of(name) == kind


def test_unsupported_file_is_refused_with_its_type():
    with pytest.raises(ImportRejected, match="Unsupported file type '.txt'"):
        kind_of("notes.txt")


def test_a_packing_list_json_goes_in_through_the_api_the_page_and_the_command(client_m,
                                                                              tmp_path):
    def content(name):
        orders = [dict(LISTING["orders"][0], order_number=f"#{name}")]
        return json.dumps({**LISTING, "list_name": name, "orders": orders}).encode()

    supervisor = build_user(role="supervisor")
    api = APIClient()
    api.force_authenticate(supervisor)
    upload = SimpleUploadedFile("api.json", content("DHL_Orders"))
    response = api.post("/api/v1/imports/file/", {"client": "M", "file": upload})
    assert response.status_code == 201, response.json()
    web = WebClient()
    web.force_login(supervisor)
    upload = SimpleUploadedFile("page.json", content("PostOne_Orders"))
    response = web.post("/imports/", {"client": "M", "file": upload})
    assert response.status_code == 302, response.content[:300]
    assert web.post(response["Location"], {}).status_code == 302
    path = tmp_path / "command.json"
    path.write_bytes(content("Speedy_Orders"))
    call_command("import_list", "--client", "M", str(path))
    names = PackingList.objects.filter(session__client=client_m).values_list("name", flat=True)
    assert sorted(names) == ["DHL_Orders", "PostOne_Orders", "Speedy_Orders"]


def test_the_same_refusal_everywhere(client_m, tmp_path):
    supervisor = build_user(role="supervisor")
    api = APIClient()
    api.force_authenticate(supervisor)
    upload = SimpleUploadedFile("notes.txt", b"hello")
    response = api.post("/api/v1/imports/file/", {"client": "M", "file": upload})
    assert response.status_code == 400
    assert response.json()["message"].startswith("Unsupported file type '.txt'")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(CommandError, match="Unsupported file type '.txt'"):
        call_command("import_list", "--client", "M", str(tmp_path / "notes.txt"))
