"""Supervisor side in a real browser: the floor view sees a scan within a second, and a stale
claim is taken over from a station."""

import time
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone
from playwright.sync_api import expect
from rest_framework.authtoken.models import Token

from sessions.claims import claim_list
from sessions.models import PackingList
from tests.browser.helpers import expect_outcome, open_station, packing_floor, scan
from tests.builders import build_station, build_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_floor(context):
    page = context.new_page()
    page.goto("/floor/")
    expect(page.locator("body")).to_have_attribute("data-ws", "open")
    return page


def test_floor_view_in_a_second_context_sees_a_scan_within_a_second(server, login_context):
    packing_list, station, worker = packing_floor({"FL-1": [("SKU-A", 2)]})
    supervisor = build_worker("Sam Supervisor", role="supervisor")
    floor = open_floor(login_context(supervisor.user))
    station_page = open_station(login_context(worker.user, station), packing_list)
    row = floor.locator(f"#stations .station-card[data-list='{packing_list.pk}']")
    expect(row.locator(".station")).to_have_text(station.name)

    scan(station_page, "FL-1")
    expect_outcome(station_page, "order_loaded")
    scan(station_page, "SKU-A")
    expect_outcome(station_page, "item_ok")
    answered = time.monotonic()
    expect(row.locator(".last-scan .code")).to_have_text("SKU-A", timeout=1000)
    assert time.monotonic() - answered < 1.0
    expect(row.locator(".progress-text")).to_contain_text("0/1 orders · 1/2")
    expect(row.locator(".state")).to_have_text("packing")


# Records the page's sockets and can swallow their messages, to play a dropped connection.
SOCKET_TAP = """
(() => {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.__drop = false;
  window.WebSocket = function (url, protocols) {
    const ws = new Native(url, protocols);
    window.__sockets.push(ws);
    ws.addEventListener("message", (ev) => { if (window.__drop) ev.stopImmediatePropagation(); });
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, {OPEN: 1, CLOSED: 3});
})();
"""


def test_floor_view_shows_the_true_state_after_reconnecting(server, login_context):
    packing_list, station, worker = packing_floor({"RC-1": [("SKU-A", 1)]})
    supervisor = build_worker("Sam Supervisor", role="supervisor")
    context = login_context(supervisor.user)
    context.add_init_script(SOCKET_TAP)
    floor = open_floor(context)
    station_page = open_station(login_context(worker.user, station), packing_list)
    row = floor.locator(f"#stations .station-card[data-list='{packing_list.pk}']")
    expect(row).to_be_visible()

    floor.evaluate("window.__drop = true")  # updates are lost from here on
    scan(station_page, "RC-1")
    expect_outcome(station_page, "order_loaded")
    floor.wait_for_timeout(300)
    expect(row.locator(".last-scan .code")).to_have_count(0)

    floor.evaluate("window.__drop = false; window.__sockets.forEach((ws) => ws.close())")
    expect(floor.locator("body")).to_have_attribute("data-ws", "closed")
    expect(floor.locator("body")).to_have_attribute("data-ws", "open")  # reconnected
    expect(row.locator(".last-scan .code")).to_have_text("RC-1")


def test_take_over_a_stale_claim(server, login_context):
    packing_list, old_station, packer = packing_floor({"TO-1": [("SKU-A", 1)]})
    claim_list(packing_list.pk, worker=packer, station=old_station)
    PackingList.objects.filter(pk=packing_list.pk).update(
        heartbeat_at=timezone.now() - timedelta(seconds=300))
    supervisor = build_worker("Sam Supervisor", role="supervisor")
    new_station = build_station("PC-NEW")

    page = login_context(supervisor.user, new_station).new_page()
    page.goto(f"/station/lists/{packing_list.pk}/")
    expect(page.locator("#overlay")).to_have_attribute("data-kind", "refused")
    expect(page.locator("#overlay-title")).to_contain_text(packer.display_name)
    page.locator("#btn-takeover").click()
    expect(page.locator("body")).to_have_attribute("data-state", "ready")
    scan(page, "TO-1")
    expect_outcome(page, "order_loaded")

    packing_list.refresh_from_db()
    assert packing_list.holder == supervisor
    assert packing_list.station == new_station


def test_a_force_release_holds(server, login_context):
    """Scenario 42: the reason is typed into the in-page dialog and taken by F8; the station
    says who released it, when and why; "Claim again" is refused during the cool-down (the
    screen never stays on "Claiming…") until a supervisor's badge is scanned into its dialog."""
    packing_list, station, worker = packing_floor({"FR-1": [("SKU-A", 2)]})
    supervisor = build_worker("Sam Supervisor", role="supervisor")
    supervisor.badge_code = "SAM-BADGE"
    supervisor.save()
    station_page = open_station(login_context(worker.user, station), packing_list)
    scan(station_page, "FR-1")
    expect_outcome(station_page, "order_loaded")
    floor = open_floor(login_context(supervisor.user))
    row = floor.locator(f"#stations .station-card[data-list='{packing_list.pk}']")
    row.locator(".act-release").click()
    dialog = floor.locator(".dlg[data-kind='force-release']")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(worker.display_name)
    floor.keyboard.press("F8")  # no reason yet: the dialog asks for it
    expect(dialog.locator(".dlg-error")).not_to_be_empty()
    expect(row).to_have_count(1)
    floor.locator("#dlg-reason").fill("printer jammed, moving on")
    floor.keyboard.press("Enter")  # Enter never takes the destructive choice
    expect(dialog).to_be_visible()
    floor.keyboard.press("F8")
    expect(dialog).to_have_count(0)
    expect(row).to_have_count(0)

    overlay = station_page.locator("#overlay")
    expect(overlay).to_have_attribute("data-kind", "lost")
    expect(overlay).to_contain_text("Sam Supervisor released this list")
    expect(overlay).to_contain_text("printer jammed, moving on")
    station_page.locator("#btn-reclaim").click()
    expect(overlay).to_have_attribute("data-kind", "cooldown")
    expect(station_page.locator("#status-headline")).not_to_have_text("Claiming the list…")
    expect(overlay).to_contain_text("printer jammed, moving on")
    packing_list.refresh_from_db()
    assert packing_list.claim_token is None

    station_page.locator("#btn-approve-claim").click()
    approval = station_page.locator(".dlg[data-kind='approval']")
    expect(approval).to_be_visible()
    scan_into(station_page, "SAM-BADGE")
    expect(approval).to_have_count(0)
    expect(station_page.locator("body")).to_have_attribute("data-state", "ready")
    expect(station_page.locator("#order-number")).to_have_text("FR-1")
    packing_list.refresh_from_db()
    assert packing_list.station == station
    event = packing_list.claim_events.filter(kind="force_release").get()
    assert event.reason == "printer jammed, moving on"
    assert packing_list.claim_events.get(kind="claim", approval__isnull=False) \
        .approval.approver == supervisor
    # Focus went back to the scan input: the next scan counts.
    scan(station_page, "SKU-A")
    expect_outcome(station_page, "item_ok")


def scan_into(page, code):
    """A scanner typing into whatever has the focus (here: the dialog's badge field)."""
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def test_a_heartbeat_revives_a_stale_row_without_a_reload(server, login_context):
    """The heartbeat message carries only the claim's age; the floor applies it to its row."""
    packing_list, station, packer = packing_floor({"HB-1": [("SKU-A", 1)]})
    claimed_list = claim_list(packing_list.pk, worker=packer, station=station)
    PackingList.objects.filter(pk=packing_list.pk).update(
        heartbeat_at=timezone.now() - timedelta(seconds=300))
    supervisor = build_worker("Sam Supervisor", role="supervisor")
    floor = open_floor(login_context(supervisor.user))
    row = floor.locator(f"#stations .station-card[data-station='{station.pk}']")
    expect(row.locator(".state")).to_have_text("stale")
    expect(row.locator(".act-takeover")).to_be_visible()

    # The station's heartbeat, as its page sends it (every 30 s), through the server.
    answer = httpx.post(f"{server.url}/api/v1/lists/{packing_list.pk}/heartbeat/", headers={
        "Authorization": f"Token {Token.objects.create(user=packer.user).key}",
        "X-Claim-Token": str(claimed_list.claim_token)})
    assert answer.status_code == 200, answer.text

    expect(row.locator(".state")).to_have_text("idle", timeout=2000)
    expect(row.locator(".hb")).to_contain_text("0 s")
    expect(row.locator(".act-takeover")).to_have_count(0)
