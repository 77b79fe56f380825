"""Session browser: tabs, server-side filters, pagination, list details, timeline, downloads."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from sessions.models import PackingList, PackingSession
from sessions.reads import list_tabs
from sessions.scanning.codes import scan
from tests.builders import (
    build_client,
    build_list,
    build_session,
    build_station,
    build_user,
    build_worker,
    claimed,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def floor():
    """Three lists: one held (active), one ended (completed), one free (available)."""
    client = build_client("ACME")
    session = build_session(client, external_id="2025-11-19_1")
    active = build_list({"A-1": [("X", 1)]}, session=session, name="DHL_Orders")
    done = build_list({"D-1": [("Y", 1)]}, session=session, name="PostOne_Orders")
    free = build_list({"F-1": [("Z", 1)]}, session=session, name="Speedy_Orders")
    claim = claimed(active, worker=build_worker("Nadia"), station=build_station("PC-3"))
    scan(active.pk, token=claim.token, code="A-1")
    PackingList.objects.filter(pk=done.pk).update(status="completed")
    return {"active": active, "done": done, "free": free, "claim": claim}


def names(qs):
    return sorted(pl.name for pl in qs)


def test_tabs_partition_the_lists(floor):
    assert names(list_tabs.browse_lists("active")) == ["DHL_Orders"]
    assert names(list_tabs.browse_lists("completed")) == ["PostOne_Orders"]
    assert names(list_tabs.browse_lists("available")) == ["Speedy_Orders"]


@pytest.mark.parametrize("text, expected", [
    ("2025-11-19", ["DHL_Orders", "PostOne_Orders", "Speedy_Orders"]),
    ("speedy", ["Speedy_Orders"]),
    ("nadia", ["DHL_Orders"]),
    ("PC-3", ["DHL_Orders"]),
    ("nobody", []),
])
def test_free_text_searches_session_list_worker_and_station(floor, text, expected):
    found = [pl for tab in list_tabs.TABS for pl in list_tabs.browse_lists(tab, text=text)]
    assert names(found) == expected


def test_filters_by_client_status_and_date(floor):
    other = build_list({"O-1": [("Q", 1)]}, client=build_client("OTHER"))
    PackingSession.objects.filter(pk=other.session_id).update(
        created_at=timezone.now() - timedelta(days=10))
    assert names(list_tabs.browse_lists("available", client="OTHER")) == [other.name]
    assert names(list_tabs.browse_lists("available", status="not_started")) == sorted(
        ["Speedy_Orders", other.name])
    today = timezone.localdate()
    assert names(list_tabs.browse_lists("available", date_from=today)) == ["Speedy_Orders"]
    assert names(list_tabs.browse_lists("available", date_to=today - timedelta(days=5))) == [
        other.name]


def test_browser_page_filters_on_the_server_and_paginates(client, floor):
    client.force_login(build_user(role="packer"))
    session = floor["free"].session
    for i in range(30):
        build_list({f"P{i}": [("X", 1)]}, session=session, name=f"Extra_{i:02d}")
    page1 = client.get("/sessions/", {"tab": "available"}).content.decode()
    assert "Page 1 of 2" in page1 and "31 lists" in page1
    page2 = client.get("/sessions/", {"tab": "available", "page": 2}).content.decode()
    assert "Page 2 of 2" in page2
    filtered = client.get("/sessions/", {"tab": "available", "q": "Extra_07"}).content.decode()
    assert "Extra_07" in filtered and "Extra_08" not in filtered
    fragment = client.get("/sessions/", {"tab": "active"}, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode()
    assert "DHL_Orders" in fragment.content.decode()


def test_bad_filter_values_are_reported_not_crashing(client, floor):
    client.force_login(build_user(role="packer"))
    response = client.get("/sessions/", {"tab": "nonsense", "date_from": "31-31-2025",
                                         "client": "NOPE"})
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()


def test_list_details_show_overview_orders_flags_and_metrics(client, floor):
    client.force_login(build_user(role="packer"))
    claim = floor["claim"]
    scan(floor["active"].pk, token=claim.token, code="UNKNOWN")
    html = client.get(f"/sessions/lists/{floor['active'].pk}/").content.decode()
    assert "DHL_Orders" in html and "A-1" in html
    assert "flag-unknown" in html
    assert "partial: the list is still being packed" in html
    order = floor["active"].orders.get()
    timeline = client.get(f"/sessions/orders/{order.pk}/timeline/").content.decode()
    assert "UNKNOWN" in timeline and "Nadia @ PC-3" in timeline


def test_downloads_report_labels_and_history(client, floor):
    client.force_login(build_user(role="packer"))
    pk = floor["active"].pk
    report = client.get(f"/sessions/lists/{pk}/report.xlsx")
    assert report["Content-Disposition"].endswith('_completed.xlsx"')
    assert load_workbook(io.BytesIO(report.content)).sheetnames
    pdf = client.get(f"/sessions/lists/{pk}/labels.pdf")
    assert pdf.content.startswith(b"%PDF")
    zpl = client.get(f"/sessions/lists/{pk}/labels.zpl")
    assert zpl.content.startswith(b"^XA")
    assert client.get(f"/sessions/lists/{pk}/labels.docx").status_code == 404
    history = client.get(f"/sessions/lists/{pk}/history.xlsx")
    assert "Scans" in load_workbook(io.BytesIO(history.content)).sheetnames
    scans = client.get(f"/sessions/lists/{pk}/history.csv", {"kind": "scans"})
    rows = list(csv.reader(io.StringIO(scans.content.decode("utf-8-sig"))))
    assert any("A-1" in row for row in rows[1:])


def test_labels_of_a_list_without_orders_explain_instead_of_failing(client):
    client.force_login(build_user(role="packer"))
    empty = build_list({})
    response = client.get(f"/sessions/lists/{empty.pk}/labels.pdf", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"/sessions/lists/{empty.pk}/"


def test_the_session_browser_offers_each_orders_packing_slip(client, floor):
    """Issue 13: the slip is downloadable from the list's page (session-cookie sign-in)."""
    client.force_login(build_user(role="packer"))
    order = floor["active"].orders.get()
    html = client.get(f"/sessions/lists/{floor['active'].pk}/").content.decode()
    slip_url = f"/api/v1/orders/{order.pk}/slip.pdf"
    assert f'href="{slip_url}"' in html
    slip = client.get(slip_url)
    assert slip.status_code == 200 and slip.content.startswith(b"%PDF")
