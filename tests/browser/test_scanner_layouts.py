"""A scanned badge signs in at a terminal, whatever keyboard layout the OS has active.

static/js/scanfield.js rebuilds the scanned text from the physical keys when the layout is not
Latin. The keys go as trusted CDP key events carrying the layout's character (`в` on KeyD).
"""

import pytest
from playwright.sync_api import expect

from tests.browser.keys import LAYOUTS, key_event, scanner_type
from tests.builders import build_station, build_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BADGE = "QD-7/SLIT-Bac"


def terminal_page(browser, server, station):
    context = browser.new_context(base_url=server.url, locale="en-US",
                                  viewport={"width": 1024, "height": 768})
    context.add_cookies([{"name": "packer_station", "value": station.name, "url": server.url},
                         {"name": "django_language", "value": "en", "url": server.url}])
    context.set_default_timeout(8000)
    return context, context.new_page()


@pytest.mark.parametrize("layout", ["us", "uk", "bg-phonetic", "bg-standard", "ru"])
def test_badge_scanned_with_any_layout_signs_in_at_a_terminal(server, browser, layout):
    station = build_station("PACK-1")
    worker = build_worker("Bea", role="packer")
    worker.badge_code = BADGE
    worker.save()
    context, page = terminal_page(browser, server, station)
    page.goto("/accounts/login/")
    # Badge first: the focus is in the badge field, no click needed.
    expect(page.locator("#id_badge")).to_be_focused()
    scanner_type(page, BADGE, layout, terminator=None)
    expect(page.locator("#id_badge")).to_have_value(BADGE)
    scanner_type(page, "", layout, terminator="Enter")
    expect(page).not_to_have_url(f"{server.url}/accounts/login/")
    expect(page.locator(".topbar .who")).to_have_text("Bea")
    context.close()


@pytest.mark.parametrize("layout", ["uk", "bg-phonetic", "bg-standard", "ru"])
def test_keyd_with_cyrillic_ve_types_d(server, browser, layout):
    """The issue's own case: code KeyD arriving as `в` types d (D with Shift), in every layout."""
    station = build_station("PACK-1")
    context, page = terminal_page(browser, server, station)
    page.goto("/accounts/login/")
    expect(page.locator("#id_badge")).to_be_focused()
    expect(page.locator("#id_badge")).to_have_attribute("data-scanfield", "on")
    cdp = context.new_cdp_session(page)
    first = LAYOUTS[layout]["KeyQ"][0]  # a letter key of this layout: now it is known non-Latin
    key_event(cdp, "KeyQ", first, first, vk=81)
    key_event(cdp, "KeyD", "в", "в", vk=68)
    key_event(cdp, "KeyD", "В", "В", shift=True, vk=68)
    expect(page.locator("#id_badge")).to_have_value("qdD")
    context.close()


def test_tab_ends_a_badge_scan_too(server, browser):
    station = build_station("PACK-1")
    worker = build_worker("Bea", role="packer")
    worker.badge_code = "BADGE-42"
    worker.save()
    context, page = terminal_page(browser, server, station)
    page.goto("/accounts/login/")
    scanner_type(page, "BADGE-42", "uk", terminator="Tab")
    expect(page.locator(".topbar .who")).to_have_text("Bea")
    page.screenshot(path="/tmp/h11a-shots/badge-signed-in.png")
    context.close()


def test_password_sign_in_stays_one_click_away_on_a_terminal(server, browser, settings):
    # The server process checks with the real hashers, not the tests' fast MD5.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    station = build_station("PACK-1")
    worker = build_worker("Ann", role="packer")
    worker.user.set_password("s3cret-pass")
    worker.user.save()
    context, page = terminal_page(browser, server, station)
    page.goto("/accounts/login/")
    page.screenshot(path="/tmp/h11a-shots/signin-terminal.png")
    page.locator("#id_username").click()
    page.keyboard.type(worker.user.username)
    page.locator("#id_password").fill("s3cret-pass")
    page.keyboard.press("Enter")
    expect(page.locator(".topbar .who")).to_have_text("Ann")
    context.close()
