"""POST /api/v1/imports/packing-list/ and /api/v1/imports/file/: pushes from programs."""

import io
import json

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from profiles.models import Client
from profiles.roles import assign_role
from sessions.models import PackingList, PackingSession

LIST_URL = "/api/v1/imports/packing-list/"
FILE_URL = "/api/v1/imports/file/"


def body(**extra):
    data = {"client": "M", "session_id": "2026-03-02_1", "list_name": "DHL_Orders",
            "orders": [
                {"order_number": "#1001", "courier": "DHL", "destination_country": "DE",
                 "tags": ["VIP"], "items": [{"sku": "A", "product_name": "Крем", "quantity": 2},
                                            {"sku": "B", "product_name": "B", "quantity": "1"}]},
                {"order_number": "#1002", "shipping_provider": "DHL",
                 "items": [{"sku": "C", "product_name": "C", "quantity": 3.0}]},
            ]}
    data.update(extra)
    return data


@pytest.fixture
def client_m(db):
    return Client.objects.create(code="M", name="Client M")


def api_as(role):
    user = User.objects.create_user(f"u-{role}", password="pw")
    assign_role(user, role)
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def supervisor_api(client_m):
    return api_as("supervisor")


@pytest.mark.django_db
def test_push_creates_session_and_list(supervisor_api):
    response = supervisor_api.post(LIST_URL, body(), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["session_external_id"] == "2026-03-02_1" and data["created_session"]
    assert data["lists"] == [{"id": data["lists"][0]["id"], "name": "DHL_Orders", "orders": 2,
                              "lines": 3, "units": 6}]
    session = PackingSession.objects.get(pk=data["session"])
    assert session.source == "api"
    order = PackingList.objects.get(pk=data["lists"][0]["id"]).orders.get(number="#1001")
    assert (order.country, order.tags) == ("DE", ["VIP"])


@pytest.mark.django_db
def test_second_list_joins_the_session_and_a_repeat_is_refused(supervisor_api):
    first = supervisor_api.post(LIST_URL, body(), format="json").json()
    other = [{"order_number": "#2001", "courier": "PostOne",
              "items": [{"sku": "A", "quantity": 1}]}]
    second = supervisor_api.post(LIST_URL, body(list_name="PostOne", orders=other),
                                 format="json")
    assert second.status_code == 201
    assert second.json()["session"] == first["session"]
    assert not second.json()["created_session"]
    renamed = [dict(other[0], order_number="#3001")]
    again = supervisor_api.post(LIST_URL, body(orders=renamed), format="json")
    assert again.status_code == 400
    assert again.json()["code"] == "import_rejected"
    assert "already has a list" in again.json()["errors"][0]["message"]
    assert PackingList.objects.count() == 2


@pytest.mark.django_db
def test_bad_list_answers_every_error_and_saves_nothing(supervisor_api):
    orders = [{"order_number": "#1", "courier": "DHL", "items": [{"sku": "A", "quantity": "N/A"}]},
              {"order_number": "1", "courier": "DHL", "items": [{"sku": "B", "quantity": 1}]},
              {"order_number": "#3", "items": [{"sku": "C", "quantity": 1}]}]
    response = supervisor_api.post(LIST_URL, body(orders=orders), format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [
        (1, "items[1].quantity"), (3, "courier"), (2, "order_number")]
    assert not PackingSession.objects.exists()


@pytest.mark.django_db
def test_unknown_client_and_missing_name(supervisor_api):
    response = supervisor_api.post(LIST_URL, body(client="NOPE"), format="json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    response = supervisor_api.post(LIST_URL, body(list_name=""), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["column"] == "name"


@pytest.mark.django_db
def test_packers_and_anonymous_may_not_import(client_m):
    assert api_as("packer").post(LIST_URL, body(), format="json").status_code == 403
    assert APIClient().post(LIST_URL, body(), format="json").status_code in (401, 403)
    assert not PackingSession.objects.exists()


@pytest.mark.django_db
def test_file_upload_with_mapping(supervisor_api):
    book = openpyxl.Workbook()
    book.active.append(["No", "Art", "Name", "Qty", "Carrier"])
    book.active.append(["5", "X", "Thing", "2", "DPD"])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("Evening.xlsx", buffer.getvalue())
    response = supervisor_api.post(FILE_URL, {"client": "M", "file": upload})
    assert response.status_code == 400 and response.json()["code"] == "mapping_required"
    assert response.json()["missing"] == ["Order_Number", "SKU", "Product_Name", "Quantity",
                                          "Courier"]
    upload.seek(0)
    mapping = ('{"Order_Number": "No", "SKU": "Art", "Product_Name": "Name", '
               '"Quantity": "Qty", "Courier": "Carrier"}')
    response = supervisor_api.post(FILE_URL, {"client": "M", "file": upload, "mapping": mapping})
    assert response.status_code == 201, response.json()
    assert response.json()["lists"][0]["name"] == "Evening"


@pytest.mark.django_db
def test_endpoints_are_in_the_openapi_schema(supervisor_api):
    response = supervisor_api.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "post" in paths["/api/v1/imports/packing-list/"]
    assert "post" in paths["/api/v1/imports/file/"]


@pytest.mark.django_db
def test_pushed_list_is_announced_to_the_floor_after_commit(supervisor_api, monkeypatch,
                                                            django_capture_on_commit_callbacks):
    """Scenario 32: a list uploaded after the session was opened shows up at once."""
    from asgiref.sync import async_to_sync
    from channels.layers import InMemoryChannelLayer

    from sessions.live import publish

    layer = InMemoryChannelLayer()  # whatever the configured layer, listen in this process
    monkeypatch.setattr(publish, "get_channel_layer", lambda: layer)
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)("floor", channel)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = supervisor_api.post(LIST_URL, body(), format="json")
    # The list's row, then the floor's summary (its "waiting" section), built after commit.
    assert response.status_code == 201 and len(callbacks) == 2
    message = async_to_sync(layer.receive)(channel)
    assert message["type"] == "list.update"
    list_id = response.json()["lists"][0]["id"]
    assert message["list_id"] == list_id
    # Nobody holds the new list yet: the floor's row for it is the "not on the floor" row.
    assert json.loads(message["text"]) == {"type": "update",
                                           "row": {"id": list_id, "released": True}}
