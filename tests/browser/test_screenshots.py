"""Screenshots of the station, the floor view and the dashboard over the demo data.

They also prove the three pages render with real data. Written to PACKER_SCREENSHOTS_DIR when
set (`PACKER_SCREENSHOTS_DIR=docs bin/test tests/browser/test_screenshots.py` refreshes the
README's pictures), else to a temporary folder, so a test run never changes the work tree.
"""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from profiles.models import Station, Worker
from sessions.claims import claim_list
from sessions.demo import load_demo
from sessions.models import Order, PackingList, ScanEvent
from sessions.scanning.codes import scan as scan_service
from tests.browser.helpers import expect_outcome, open_station, scan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pack_orders(packing_list, worker, station, count):
    """Pack the first `count` orders through the scanning service, like a station would."""
    token = claim_list(packing_list.pk, worker=worker, station=station).claim_token
    for order in packing_list.orders.order_by("sequence")[:count]:
        scan_service(packing_list.pk, token=token, code=order.number)
        for item in order.items.all():
            for _ in range(item.required):
                scan_service(packing_list.pk, token=token, code=item.sku)
    return token


def spread_over_time(packing_list, days=6):
    """Give completed orders human durations (1.5–4 min) spread over the last days, with their
    scans in between, so the dashboard shows believable figures (the service packs in ms)."""
    now = timezone.now()
    orders = packing_list.orders.filter(status="completed").order_by("id")
    for i, order in enumerate(orders):
        done = now - timedelta(days=(days - 1 - i % days), minutes=11 * i)
        start = done - timedelta(seconds=90 + 23 * (i % 7))
        Order.objects.filter(pk=order.pk).update(
            started_at=start, completed_at=done, first_item_at=start + timedelta(seconds=12))
        events = list(ScanEvent.objects.filter(order=order).order_by("id"))
        step = (done - start) / max(len(events) - 1, 1)
        for n, event in enumerate(events):
            ScanEvent.objects.filter(pk=event.pk).update(created_at=start + step * n)


def test_screenshots_of_station_floor_and_dashboard(server, login_context, tmp_path):
    out = Path(os.environ.get("PACKER_SCREENSHOTS_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    load_demo()
    dhl = PackingList.objects.get(name="DHL_Orders")
    speedy = PackingList.objects.get(name="Speedy_Orders")
    packer = Worker.objects.get(user__username="packer")
    packer2 = Worker.objects.get(user__username="packer2")
    supervisor = Worker.objects.get(user__username="supervisor")
    station1 = Station.objects.get(name="STATION-1")
    station2 = Station.objects.get(name="STATION-2")

    pack_orders(speedy, packer2, station2, 9)
    spread_over_time(speedy)
    pack_orders(dhl, packer, station1, 4)
    spread_over_time(dhl, days=2)

    page = open_station(login_context(packer.user, station1), dhl)
    order = dhl.orders.filter(status="new").order_by("sequence").first()
    item = order.items.order_by("line_number").first()
    scan(page, order.number)
    expect_outcome(page, "order_loaded")
    scan(page, item.sku)
    expect_outcome(page, "item_ok")
    page.set_viewport_size({"width": 1366, "height": 768})  # a common terminal screen
    page.screenshot(path=str(out / "station.png"))
    # One per language: the same open order in Ukrainian and Bulgarian (same claim, reloaded).
    for language in ("uk", "bg"):
        page.context.add_cookies([{"name": "django_language", "value": language,
                                   "url": server.url}])
        page.reload()
        expect(page.locator("body")).to_have_attribute("data-state", "ready")
        expect(page.locator("#order-number")).to_have_text(order.number)
        page.screenshot(path=str(out / f"station-{language}.png"))

    PackingList.objects.filter(pk=speedy.pk).update(
        heartbeat_at=timezone.now() - timedelta(seconds=170))
    floor = login_context(supervisor.user).new_page()
    floor.goto("/floor/")
    expect(floor.locator("body")).to_have_attribute("data-ws", "open")
    expect(floor.locator("#stations .station-card[data-list]")).to_have_count(2)
    expect(floor.locator("#stations .station-card[data-state='stale']")).to_have_count(1)
    floor.screenshot(path=str(out / "floor.png"))

    dash = login_context(supervisor.user).new_page()
    dash.goto("/dashboard/")
    expect(dash.locator("[data-figure='orders_packed']")).to_have_text("13")
    dash.screenshot(path=str(out / "dashboard.png"))
    for name in ("station.png", "station-uk.png", "station-bg.png", "floor.png", "dashboard.png"):
        assert (out / name).stat().st_size > 10_000
