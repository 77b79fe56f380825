"""The station's new buttons and the in-page dialog at terminal sizes, in every language: no
sideways scroll, every button of the dialog in view (800×600 and 1366×768; en, uk, bg)."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import expect_outcome, packing_floor, scan
from tests.builders import build_mapping

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def in_view(page, selector):
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    assert box is not None, selector
    assert box["x"] >= 0 and box["y"] >= 0, (selector, box)
    assert box["x"] + box["width"] <= size["width"] + 1, (selector, box, size)
    assert box["y"] + box["height"] <= size["height"] + 1, (selector, box, size)


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.mark.parametrize("lang", ["en", "uk", "bg"])
@pytest.mark.parametrize("width,height", [(800, 600), (1366, 768)])
def test_dialogs_and_buttons_fit(server, login_context, lang, width, height):
    packing_list, station, worker = packing_floor({
        "O-SUN": [("DC-SC-050", 2, "Сонцезахисний крем SPF 50"), ("DC-XX-1", 1, "Щось ще")],
        "O-2": [("A", 1)]})
    build_mapping(packing_list.session.client, "3801234500086", "DC-DO-050")
    context = login_context(worker.user, station)
    context.add_cookies([{"name": "django_language", "value": lang, "url": server.url}])
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"/station/lists/{packing_list.pk}/")
    expect(page.locator("body")).to_have_attribute("data-state", "ready")
    scan(page, "O-SUN")
    scan(page, "3801234500086")
    expect_outcome(page, "unknown_item")
    no_sideways_scroll(page)
    page.locator("tr[data-sku='DC-SC-050'] .act-map").click()  # every line button reachable
    page.keyboard.press("F1")
    expect(page.locator(".dlg[data-kind='approval']")).to_be_visible()
    for selector in (".dlg", "#dlg-badge", "#dlg-pin", ".dlg-cancel"):
        in_view(page, selector)
    page.keyboard.press("Escape")
    page.keyboard.press("F9")
    expect(page.locator(".dlg[data-kind='end']")).to_be_visible()
    for selector in (".dlg", "#dlg-badge", ".dlg-cancel"):
        in_view(page, selector)
    page.keyboard.press("Escape")
    page.locator("tr[data-sku='DC-SC-050'] .act-force").click()
    for selector in (".dlg", ".dlg-choice[data-key='F3']", ".dlg-cancel"):
        in_view(page, selector)
    page.keyboard.press("Escape")
    for selector in ("#btn-problem", "#btn-release", "#btn-end"):
        page.locator(selector).scroll_into_view_if_needed()
        in_view(page, selector)
    no_sideways_scroll(page)
