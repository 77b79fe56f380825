"""Scanner-only on a terminal: a list barcode opens the list, a packer's terminal is a kiosk.

Everything is typed as a scanner types it (trusted key events and Enter, tests/browser/keys.py),
with a Ukrainian layout active where it matters.
"""

import pytest
from playwright.sync_api import expect

from sessions.models import ClaimEvent, PackingList
from tests.browser.keys import scanner_type
from tests.builders import build_list, build_station, build_worker, claimed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def badge_worker(name, badge, role="packer"):
    worker = build_worker(name, role=role)
    worker.badge_code = badge
    worker.save()
    return worker


def test_scanning_a_list_barcode_at_the_pick_page_claims_the_list_and_opens_the_station(
        server, login_context):
    packing_list = build_list({"P-1": [("SKU-A", 1)]}, name="DHL_Orders")
    station = build_station("PACK-1")
    worker = build_worker("Bea", role="packer")
    page = login_context(worker.user, station).new_page()
    page.goto(f"/station/?client={packing_list.session.client.code}")
    tile = page.locator(f"a.tile[data-list='{packing_list.pk}']")
    expect(tile.locator(".list-barcode")).to_have_text(f"LIST-{packing_list.pk}")
    expect(page.locator("#list-code")).to_be_focused()
    page.screenshot(path="/tmp/h11a-shots/pick-list-barcode.png")
    scanner_type(page, f"LIST-{packing_list.pk}", "uk")
    expect(page).to_have_url(f"{server.url}/station/lists/{packing_list.pk}/")
    expect(page.locator("body")).to_have_attribute("data-state", "ready")
    packing_list.refresh_from_db()
    assert (packing_list.holder_id, packing_list.station_id) == (worker.pk, station.pk)
    assert ClaimEvent.objects.filter(packing_list=packing_list, kind="claim").count() == 1


def test_a_list_in_use_elsewhere_stays_on_the_pick_page_and_says_who_holds_it(
        server, login_context):
    packing_list = build_list({"P-1": [("SKU-A", 1)]}, name="DHL_Orders")
    claimed(packing_list, worker=build_worker("Olga"), station=build_station("PC-9"))
    bea = build_worker("Bea", role="packer")
    page = login_context(bea.user, build_station("PACK-1")).new_page()
    page.goto("/station/")
    scanner_type(page, f"LIST-{packing_list.pk}", "bg-standard")
    expect(page.locator(".messages")).to_contain_text("Olga")
    expect(page.locator("#list-code")).to_be_focused()
    assert PackingList.objects.get(pk=packing_list.pk).station.name == "PC-9"


def test_a_packers_terminal_is_a_kiosk_signed_out_by_a_key_and_the_next_badge_signs_in(
        server, login_context):
    station = build_station("PACK-1")
    bea = badge_worker("Bea", "BADGE-1")
    badge_worker("Dan", "BADGE-2")
    page = login_context(bea.user, station).new_page()
    page.goto("/station/")
    nav = page.locator(".mainnav")
    expect(nav.get_by_role("link", name="Station")).to_be_visible()
    for hidden in ("Sessions", "Dashboard", "Admin"):
        expect(nav.get_by_role("link", name=hidden)).to_have_count(0)
    sign_out = page.locator("#sign-out button")
    expect(sign_out).to_have_text("Sign out (F12)")
    page.screenshot(path="/tmp/h11a-shots/kiosk-pick.png")
    page.keyboard.press("F12")
    expect(page.locator("#id_badge")).to_be_focused()
    scanner_type(page, "BADGE-2", "uk")
    expect(page.locator(".topbar .who")).to_have_text("Dan")
    expect(page.locator("#list-code")).to_be_focused()  # straight to the list choice


def test_scanning_ones_own_badge_signs_out_and_another_badge_takes_over(server, login_context):
    station = build_station("PACK-1")
    bea = badge_worker("Bea", "BADGE-1")
    badge_worker("Dan", "BADGE-2")
    page = login_context(bea.user, station).new_page()
    page.goto("/station/")
    scanner_type(page, "BADGE-2", "bg-phonetic")
    expect(page.locator(".topbar .who")).to_have_text("Dan")
    scanner_type(page, "BADGE-2", "us")
    expect(page.locator("#id_badge")).to_be_focused()
    expect(page.locator(".topbar .who")).to_have_count(0)


def test_a_supervisor_at_a_terminal_keeps_every_link(server, login_context):
    station = build_station("PACK-1")
    boss = build_worker("Sue", role="supervisor")
    page = login_context(boss.user, station).new_page()
    page.goto("/station/")
    nav = page.locator(".mainnav")
    for shown in ("Sessions", "Dashboard", "Floor"):
        expect(nav.get_by_role("link", name=shown)).to_be_visible()
    expect(page.locator("#sign-out button")).to_have_text("Sign out")
