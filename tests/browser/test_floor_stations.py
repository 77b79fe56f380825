"""The floor view as a supervisor uses it (issue 14), in a real browser against the real server:
stations (busy and idle), the waiting section, the alert for three wrong scans, a reassign,
the disconnected state and the couriers' cut-off pace moving as orders complete."""

import re
from datetime import time as clock_time
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from profiles.models import CourierDeadline
from sessions.claims import claim_list, release
from sessions.models import AlertAcknowledgement, ClaimEvent
from sessions.scanning.codes import scan as scan_service
from tests.browser.helpers import expect_outcome, open_station, scan
from tests.builders import build_list, build_station, build_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = "/tmp/h14b-shots"


def open_floor(context):
    page = context.new_page()
    page.goto("/floor/")
    expect(page.locator("body")).to_have_attribute("data-ws", "open")
    return page


def card(page, station):
    return page.locator(f"#stations .station-card[data-station='{station.pk}']")


def test_an_idle_station_and_a_busy_one_and_a_released_list_waiting(server, login_context):
    busy_list = build_list({"B-1": [("SKU-A", 2)]}, name="Busy_list")
    idle_list = build_list({"I-1": [("SKU-B", 2)], "I-2": [("SKU-C", 1)]}, name="Released_list")
    busy, idle = build_station("PC-BUSY"), build_station("PC-IDLE")
    packer = build_worker("Pat Packer", role="packer")
    other = build_worker("Olga Other", role="packer")
    # PC-IDLE worked a while ago, then its packer released the list half-packed.
    held = claim_list(idle_list.pk, worker=other, station=idle)
    scan_service(idle_list.pk, token=held.claim_token, code="I-2")
    scan_service(idle_list.pk, token=held.claim_token, code="SKU-C")
    release(idle_list.pk, token=held.claim_token, reason="break")
    supervisor = build_worker("Sam Supervisor", role="supervisor")

    station_page = open_station(login_context(packer.user, busy), busy_list)
    scan(station_page, "B-1")
    expect_outcome(station_page, "order_loaded")
    floor = open_floor(login_context(supervisor.user))

    busy_card = card(floor, busy)
    expect(busy_card).to_have_attribute("data-state", "packing")
    expect(busy_card.locator(".worker")).to_have_text("Pat Packer")
    expect(busy_card.locator(".open-order")).to_contain_text("B-1")
    expect(busy_card.locator(".open-for")).to_contain_text("open for")
    expect(busy_card.locator(".last-scan .code")).to_have_text("B-1")

    idle_card = card(floor, idle)
    expect(idle_card).to_have_attribute("data-state", "idle")
    expect(idle_card.locator(".list")).to_have_text("No list")
    expect(idle_card.locator(".worker")).to_have_text("Olga Other")  # who worked there last
    expect(idle_card.locator(".activity")).to_contain_text("last activity")

    waiting = floor.locator(f"#waiting .waiting-list[data-list='{idle_list.pk}']")
    expect(waiting).to_be_visible()
    expect(waiting.locator(".progress-text")).to_contain_text("1/2")
    expect(waiting.locator(".let-go")).to_contain_text("Released by Olga Other")
    expect(waiting.locator(".let-go")).to_contain_text("break")
    # The order completed at PC-IDLE counts in the day, although nobody holds its list.
    expect(floor.locator("#kpi-orders")).to_have_text("1")
    expect(floor.locator("#kpi-units")).to_have_text("1")

    # A force-release from the floor: the half-packed list moves to "waiting", it does not vanish.
    busy_card.locator(".act-release").click()
    floor.locator("#dlg-reason").fill("packer went home")
    floor.keyboard.press("F8")
    expect(floor.locator(".dlg")).to_have_count(0)
    moved = floor.locator(f"#waiting .waiting-list[data-list='{busy_list.pk}']")
    expect(moved.locator(".let-go")).to_contain_text("Force-released by Sam Supervisor")
    expect(moved.locator(".let-go")).to_contain_text("packer went home")
    expect(moved.locator(".open-order")).to_contain_text("B-1")
    expect(busy_card).to_have_attribute("data-state", "idle")
    floor.screenshot(path=f"{SHOTS}/floor-idle-busy-waiting.png", full_page=True)


def test_three_wrong_scans_in_a_row_raise_an_alert_that_a_supervisor_acknowledges(
        server, login_context):
    packing_list = build_list({"W-1": [("SKU-A", 2)]})
    station, packer = build_station("PC-WRONG"), build_worker("Pat Packer", role="packer")
    supervisor = build_worker("Sam Supervisor", role="supervisor")
    station_page = open_station(login_context(packer.user, station), packing_list)
    floor = open_floor(login_context(supervisor.user))
    floor.keyboard.press("Shift")  # the first key press turns the page's sound on

    scan(station_page, "W-1")
    expect_outcome(station_page, "order_loaded")
    for code in ("NOPE-1", "NOPE-2"):
        scan(station_page, code)
        expect_outcome(station_page, "unknown_item")
    alerts = floor.locator("#alert-list .alert[data-kind='wrong_scans']")
    expect(card(floor, station).locator(".streak")).to_have_text("2 wrong in a row")
    expect(alerts).to_have_count(0)

    scan(station_page, "NOPE-3")
    expect_outcome(station_page, "unknown_item")
    expect(alerts).to_have_count(1)
    expect(alerts).to_contain_text("PC-WRONG: 3 wrong scans in a row")
    expect(floor.locator("body")).to_have_attribute("data-beeps", "1")
    expect(card(floor, station).locator(".errors")).to_contain_text("75%")
    floor.screenshot(path=f"{SHOTS}/floor-alert-wrong-scans.png", full_page=True)

    alerts.locator(".act-ack").click()
    expect(alerts).to_have_count(0)
    assert AlertAcknowledgement.objects.filter(kind="wrong_scans",
                                               by_user=supervisor.user).count() == 1
    # Acknowledged for the floor: a fresh page does not show it again, and the streak
    # going on is the same run (no new alert) until a good scan breaks it.
    floor.reload()
    expect(floor.locator("body")).to_have_attribute("data-ws", "open")
    expect(floor.locator("#alert-list .alert")).to_have_count(0)
    scan(station_page, "NOPE-4")
    expect_outcome(station_page, "unknown_item")
    expect(card(floor, station).locator(".streak")).to_have_text("4 wrong in a row")
    expect(floor.locator("#alert-list .alert")).to_have_count(0)


def test_a_supervisor_reassigns_a_list_to_another_station_and_packer(server, login_context):
    packing_list = build_list({"R-1": [("SKU-A", 2)]}, name="Moving_list")
    old_station, new_station = build_station("PC-OLD"), build_station("PC-NEW")
    packer = build_worker("Pat Packer", role="packer")
    colleague = build_worker("Cora Colleague", role="packer")
    supervisor = build_worker("Sam Supervisor", role="supervisor")
    station_page = open_station(login_context(packer.user, old_station), packing_list)
    scan(station_page, "R-1")
    expect_outcome(station_page, "order_loaded")

    floor = open_floor(login_context(supervisor.user))
    card(floor, old_station).locator(".act-reassign").click()
    dialog = floor.locator(".dlg[data-kind='reassign']")
    expect(dialog).to_be_visible()
    floor.keyboard.press("F8")  # nothing chosen yet: the dialog asks
    expect(dialog.locator(".dlg-error")).not_to_be_empty()
    floor.locator("#dlg-station").select_option(label="PC-NEW")
    floor.locator("#dlg-worker").select_option(label="Cora Colleague")
    floor.locator("#dlg-reason").fill("Pat's scanner is broken")
    floor.keyboard.press("F8")
    expect(dialog).to_have_count(0)

    moved = card(floor, new_station)
    expect(moved).to_have_attribute("data-list", str(packing_list.pk))
    expect(moved.locator(".worker")).to_have_text("Cora Colleague")
    expect(moved.locator(".open-order")).to_contain_text("R-1")
    expect(card(floor, old_station)).to_have_attribute("data-state", "idle")
    # The old station is told who moved it and why; the supervisor's PC is no station.
    expect(station_page.locator("#overlay")).to_have_attribute("data-kind", "lost")
    expect(station_page.locator("#overlay")).to_contain_text("Sam Supervisor")
    expect(station_page.locator("#overlay")).to_contain_text("Pat's scanner is broken")
    packing_list.refresh_from_db()
    assert (packing_list.holder, packing_list.station) == (colleague, new_station)
    event = ClaimEvent.objects.get(packing_list=packing_list, kind="reassign")
    assert (event.previous_holder, event.previous_station, event.by_user) == (
        packer, old_station, supervisor.user)

    # The colleague opens the list at PC-NEW and goes on with the open order.
    new_page = open_station(login_context(colleague.user, new_station), packing_list)
    scan(new_page, "SKU-A")
    expect_outcome(new_page, "item_ok")


# Records the page's sockets; `__block` keeps them from reconnecting.
SOCKET_TAP = """
(() => {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.__block = false;
  window.WebSocket = function (url, protocols) {
    const target = window.__block ? url.replace(/\\/ws\\/.*/, "/ws/blocked/") : url;
    const ws = new Native(target, protocols);
    window.__sockets.push(ws);
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, {OPEN: 1, CLOSED: 3});
})();
"""


def test_a_disconnected_floor_says_so_and_marks_no_station_stale(server, login_context):
    packing_list = build_list({"D-1": [("SKU-A", 2)]})
    station, packer = build_station("PC-DISC"), build_worker("Pat Packer", role="packer")
    claim_list(packing_list.pk, worker=packer, station=station)
    supervisor = build_worker("Sam Supervisor", role="supervisor")
    context = login_context(supervisor.user)
    context.add_init_script(SOCKET_TAP)
    floor = context.new_page()
    floor.clock.install()
    floor.goto("/floor/")
    expect(floor.locator("body")).to_have_attribute("data-ws", "open")
    expect(floor.locator("#live")).to_have_text("Live")
    expect(card(floor, station)).to_have_attribute("data-state", "idle")

    floor.evaluate("window.__block = true; window.__sockets.forEach((ws) => ws.close())")
    expect(floor.locator("body")).to_have_attribute("data-ws", "closed")
    expect(floor.locator("#live")).to_have_text(re.compile(r"^Disconnected — as of \d\d:\d\d$"))
    shown = floor.locator("#live").text_content()[-5:]
    now = timezone.localtime()  # the warehouse's clock time of the last message heard
    assert shown in {now.strftime("%H:%M"), (now - timedelta(minutes=1)).strftime("%H:%M")}
    # Ten minutes pass on this PC without a word from the server: nothing turns stale.
    floor.clock.fast_forward("10:00")
    expect(floor.locator("#live")).to_contain_text("Disconnected — as of")
    expect(card(floor, station)).to_have_attribute("data-state", "idle")
    expect(card(floor, station).locator(".act-takeover")).to_have_count(0)
    floor.screenshot(path=f"{SHOTS}/floor-disconnected.png", full_page=True)

    floor.evaluate("window.__block = false")
    floor.clock.fast_forward("00:10")
    expect(floor.locator("body")).to_have_attribute("data-ws", "open")
    expect(floor.locator("#live")).to_have_text("Live")


def test_the_cutoff_pace_moves_as_orders_complete(server, login_context):
    packing_list = build_list({"C-1": [("SKU-A", 1)], "C-2": [("SKU-B", 2)],
                               "C-3": [("SKU-C", 1)]})
    client = packing_list.session.client
    CourierDeadline.objects.create(client=client, courier="DHL", deadline=clock_time(23, 59))
    station, packer = build_station("PC-CUT"), build_worker("Pat Packer", role="packer")
    supervisor = build_worker("Sam Supervisor", role="supervisor")
    floor = open_floor(login_context(supervisor.user))
    dhl = floor.locator(f"#cutoffs .cutoff-client[data-client='{client.code}'] "
                        ".cutoff[data-courier='DHL']")
    expect(dhl.locator(".left")).to_have_text("3 orders · 4 units left")
    expect(dhl.locator(".pace")).to_have_text("0 orders/h")
    expect(dhl).to_have_attribute("data-status", "at_risk")  # no pace yet to project

    station_page = open_station(login_context(packer.user, station), packing_list)
    scan(station_page, "C-1")
    scan(station_page, "SKU-A")
    expect_outcome(station_page, "order_complete")
    expect(dhl.locator(".left")).to_have_text("2 orders · 3 units left")
    expect(dhl.locator(".pace")).to_have_text("4 orders/h")
    expect(dhl).to_have_attribute("data-status", "on_track")
    expect(dhl.locator(".projected")).not_to_have_text("finish —")
    expect(floor.locator("#kpi-orders")).to_have_text("1")
    first_projection = dhl.locator(".projected").text_content()

    station_page.wait_for_timeout(3100)  # the next order's screen clears
    scan(station_page, "C-2")
    scan(station_page, "SKU-B")
    scan(station_page, "SKU-B")
    expect_outcome(station_page, "order_complete")
    expect(dhl.locator(".left")).to_have_text("1 orders · 1 units left")
    expect(dhl.locator(".pace")).to_have_text("8 orders/h")
    expect(floor.locator("#kpi-units")).to_have_text("3")
    assert dhl.locator(".projected").text_content() <= first_projection
    floor.screenshot(path=f"{SHOTS}/floor-cutoff.png", full_page=True)

    # The wall display shows the same, big, and takes no input.
    wall = login_context(supervisor.user).new_page()
    wall.goto("/floor/wall/")
    courier = wall.locator(f".wall-client.current[data-client='{client.code}'] "
                           ".wall-courier[data-courier='DHL']")
    expect(courier.locator(".orders-left")).to_have_text("1")
    expect(courier).to_have_attribute("data-status", "on_track")
    assert wall.locator("main input, main button, main select, main textarea").count() == 0
    wall.set_viewport_size({"width": 1920, "height": 1080})
    wall.screenshot(path=f"{SHOTS}/wall-1920.png")
