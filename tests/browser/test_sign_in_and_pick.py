"""From a fresh terminal to the scanning screen: badge scan, station choice, client, list."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import scan
from tests.builders import build_list, build_station, build_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_badge_sign_in_station_choice_and_list_pick(server, browser):
    packing_list = build_list({"P-1": [("SKU-A", 1)]}, name="DHL_Orders")
    station = build_station("PACK-1")
    worker = build_worker("Bea", role="packer")
    worker.badge_code = "BADGE-42"
    worker.save()

    context = browser.new_context(base_url=server.url, locale="en-US")
    page = context.new_page()
    page.goto("/station/")
    expect(page).to_have_url(f"{server.url}/accounts/login/?next=/station/")
    page.locator("#id_badge").fill("BADGE-42")
    page.keyboard.press("Enter")  # the scanner's Enter submits the badge form

    expect(page.locator("h1")).to_have_text("Which station is this terminal?")
    page.locator("select[name=station]").select_option(station.name)
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name=packing_list.session.client.code).click()
    page.locator(f"a.tile[data-list='{packing_list.pk}']").click()
    expect(page.locator("body")).to_have_attribute("data-state", "ready")
    scan(page, "P-1")
    expect(page.locator("#order-number")).to_have_text("P-1")
    context.close()
