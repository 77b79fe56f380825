"""Imports never create the same work twice (issue 10, scenario 41), on all three entry points
(API, web page, import_list): an identical file or push points back to its first import, a
file overlapping a not-ended list is refused with the overlapping orders unless "only the new
orders" or "replace the not-started list" is chosen, orders of ended lists come back as
re-ships, and the web import previews before saving anything."""

import io
import json
import logging

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from sessions.models import ImportRecord, Order, PackingList, PackingSession
from tests.builders import build_client, build_user

pytestmark = pytest.mark.django_db

STANDARD = ["Order_Number", "SKU", "Product_Name", "Quantity", "Courier"]
FILE_URL = "/api/v1/imports/file/"
PUSH_URL = "/api/v1/imports/packing-list/"


def xlsx(rows):
    book = openpyxl.Workbook()
    for row in [STANDARD, *rows]:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


MORNING = xlsx([["#1", "A", "Cream", "2", "DHL"], ["#1", "B", "Soap", "1", "DHL"],
                ["#2", "C", "Brush", "1", "PostOne"]])
OVERLAPPING = xlsx([["#2", "C", "Brush", "1", "PostOne"], ["#3", "D", "Comb", "4", "DHL"]])


def upload(api, content, name="Morning.xlsx", **data):
    return api.post(FILE_URL, {"client": "M", "file": SimpleUploadedFile(name, content), **data})


def orders():
    return sorted(Order.objects.values_list("number", flat=True))


def test_s41_the_same_file_twice_through_the_api_creates_nothing_the_second_time(api):
    first = upload(api, MORNING)
    assert first.status_code == 201
    again = upload(api, MORNING, name="renamed copy.xlsx")
    assert again.status_code == 200
    body = again.json()["duplicate_of"]
    assert body["session"] == first.json()["session"]
    assert body["lists"] == [{"id": first.json()["lists"][0]["id"], "name": "Morning"}]
    assert body["source_name"] == "Morning.xlsx" and body["by"] == "sup" and body["imported_at"]
    assert orders() == ["#1", "#2"] and PackingSession.objects.count() == 1
    record = ImportRecord.objects.get()
    assert len(record.content_hash) == 64 and record.orders == 2


def test_s41_the_same_push_twice_creates_nothing_the_second_time(api):
    push = {"client": "M", "list_name": "DHL", "orders": [
        {"order_number": "#9", "courier": "DHL", "items": [{"sku": "A", "quantity": 1}]}]}
    assert api.post(PUSH_URL, push, format="json").status_code == 201
    again = api.post(PUSH_URL, push, format="json")
    assert again.status_code == 200 and again.json()["duplicate_of"]["lists"][0]["name"] == "DHL"
    assert orders() == ["#9"]


def test_s41_the_same_file_twice_through_the_command_says_so_and_exits_0(supervisor, tmp_path):
    path = tmp_path / "Morning.xlsx"
    path.write_bytes(MORNING)
    call_command("import_list", "--client", "M", str(path), stdout=io.StringIO())
    out = io.StringIO()
    call_command("import_list", "--client", "M", str(path), stdout=out)  # no CommandError
    assert "Already imported" in out.getvalue() and "Morning" in out.getvalue()
    assert orders() == ["#1", "#2"]


def test_s41_the_same_file_on_the_web_page_is_shown_as_already_imported(web):
    response = web.post("/imports/", {"client": "M", "file": SimpleUploadedFile(
        "Morning.xlsx", MORNING)})
    web.post(response["Location"], {})
    response = web.post("/imports/", {"client": "M", "file": SimpleUploadedFile(
        "Morning.xlsx", MORNING)})
    page = web.get(response["Location"]).content.decode()
    assert "This file was already imported" in page and 'id="btn-import"' not in page
    web.post(response["Location"], {})  # even a forced POST creates nothing
    assert orders() == ["#1", "#2"]


def test_s41_a_file_overlapping_a_not_ended_list_is_refused_with_the_orders(api):
    first = upload(api, MORNING).json()
    refused = upload(api, OVERLAPPING, name="Later.xlsx")
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "duplicate_orders" and body["message"]
    assert body["orders"] == [{"number": "#2", "session": first["session_external_id"],
                               "list": "Morning", "list_id": first["lists"][0]["id"],
                               "status": "new"}]
    assert body["replaceable"] is True and body["choices"] == ["new_only", "replace"]
    assert orders() == ["#1", "#2"]


def test_s41_the_command_and_the_page_show_the_same_overlaps(api, web, tmp_path):
    upload(api, MORNING)
    path = tmp_path / "Later.xlsx"
    path.write_bytes(OVERLAPPING)
    err = io.StringIO()
    with pytest.raises(CommandError, match="--only-new or --replace"):
        call_command("import_list", "--client", "M", str(path), stderr=err,
                     stdout=io.StringIO())
    assert "#2:" in err.getvalue() and "Morning (new)" in err.getvalue()
    response = web.post("/imports/", {"client": "M", "file": SimpleUploadedFile(
        "Later.xlsx", OVERLAPPING)})
    page = web.get(response["Location"]).content.decode()
    assert 'id="preview-overlaps"' in page and "#2" in page and "Morning" in page
    assert 'id="btn-only-new"' in page and 'id="btn-replace"' in page
    assert 'id="btn-import"' not in page
    assert orders() == ["#1", "#2"]


def test_only_the_new_orders(api):
    upload(api, MORNING)
    done = upload(api, OVERLAPPING, name="Later.xlsx", on_duplicates="new_only")
    assert done.status_code == 201
    assert done.json()["left_out"] == ["#2"]
    assert orders() == ["#1", "#2", "#3"]
    later = PackingList.objects.get(name="Later")
    assert list(later.orders.values_list("number", flat=True)) == ["#3"]
    assert ImportRecord.objects.get(lists=later).details["left_out"] == ["#2"]


def test_replace_the_not_started_list_is_logged(api, caplog):
    first = upload(api, MORNING).json()
    with caplog.at_level(logging.WARNING, logger="sessions.imports.guard"):
        done = upload(api, OVERLAPPING, name="Later.xlsx", on_duplicates="replace")
    assert done.status_code == 201
    replaced = done.json()["replaced"]
    assert replaced == [{"list_id": first["lists"][0]["id"], "name": "Morning",
                         "session": first["session_external_id"], "orders": ["#1", "#2"]}]
    assert orders() == ["#2", "#3"]
    assert not PackingList.objects.filter(name="Morning").exists()
    assert "replaced list" in caplog.text and "Morning" in caplog.text
    assert ImportRecord.objects.get().details["replaced"] == replaced
    # The replaced file is no longer "already imported": it could come back (overlapping now).
    assert upload(api, MORNING).status_code == 409


def test_replace_is_refused_once_the_list_was_started(api):
    from sessions.claims import claim_list
    from tests.builders import build_station, build_worker

    first = upload(api, MORNING).json()
    claim_list(first["lists"][0]["id"], worker=build_worker(), station=build_station())
    refused = upload(api, OVERLAPPING, name="Later.xlsx")
    assert refused.json()["replaceable"] is False
    replace = upload(api, OVERLAPPING, name="Later.xlsx", on_duplicates="replace")
    assert replace.status_code == 409 and replace.json()["code"] == "replace_refused"
    assert orders() == ["#1", "#2"]


def test_orders_of_ended_lists_come_back_as_reships(api):
    from sessions.lifecycle import end_list

    first = upload(api, MORNING).json()
    end_list(first["lists"][0]["id"], by_user=build_user(role="supervisor"), force=True,
             approver=_approval())
    again = upload(api, OVERLAPPING, name="Later.xlsx")
    assert again.status_code == 201 and again.json()["reships"] == 1
    old = Order.objects.get(number="#2", packing_list_id=first["lists"][0]["id"])
    new = Order.objects.get(number="#2", packing_list__name="Later")
    assert new.reship_of == old
    assert Order.objects.get(number="#3").reship_of is None
    order = api.get(f"/api/v1/orders/{new.pk}/").json()
    assert order["reship_of"] == old.pk


def _approval():
    from tests.builders import supervisor_approval

    return supervisor_approval()


def test_the_web_preview_shows_what_the_file_holds_before_saving(web):
    response = web.post("/imports/", {"client": "M", "file": SimpleUploadedFile(
        "Morning.xlsx", MORNING)})
    assert "/preview/" in response["Location"]
    page = web.get(response["Location"]).content.decode()
    assert not PackingSession.objects.exists()
    assert 'id="preview-totals"' in page
    for text in ("Morning", "DHL (1)", "PostOne (1)", ">2<", ">3<", ">4<"):
        assert text in page, text
    # Cancel drops it; nothing was saved.
    assert web.post(response["Location"], {"cancel": "1"}).status_code == 302
    assert not PackingSession.objects.exists()


def test_the_web_page_takes_only_the_new_orders_when_asked(web, api):
    upload(api, MORNING)
    response = web.post("/imports/", {"client": "M", "file": SimpleUploadedFile(
        "Later.xlsx", OVERLAPPING)})
    done = web.post(response["Location"], {"on_duplicates": "new_only"})
    assert done.status_code == 302 and "left_out=1" in done["Location"]
    assert orders() == ["#1", "#2", "#3"]


def test_a_json_file_and_a_push_follow_the_same_rule(api):
    listing = {"list_name": "DHL", "orders": [
        {"order_number": "#1", "courier": "DHL", "items": [{"sku": "A", "quantity": 1}]}]}
    upload(api, MORNING)
    refused = upload(api, json.dumps(listing).encode(), name="DHL.json")
    assert refused.status_code == 409 and refused.json()["orders"][0]["number"] == "#1"
    push = api.post(PUSH_URL, {"client": "M", **listing}, format="json")
    assert push.status_code == 409 and push.json()["code"] == "duplicate_orders"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_imports_at_the_same_moment_create_the_orders_once():
    """Threads on real PostgreSQL: the second import waits for the first and is refused."""
    import threading

    from django.db import connection

    from sessions.errors import DuplicateOrders
    from sessions.imports.dispatch import import_file

    client = build_client("M")
    barrier = threading.Barrier(2)
    results = []

    def run(content, name):
        try:
            barrier.wait(timeout=10)
            results.append(import_file(client, SimpleUploadedFile(name, content)))
        except Exception as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(MORNING, "Morning.xlsx")),
               threading.Thread(target=run, args=(OVERLAPPING, "Later.xlsx"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(isinstance(r, DuplicateOrders) for r in results) == 1, results
    assert Order.objects.filter(number="#2").count() == 1
