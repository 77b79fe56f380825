"""Station behaviours: focus never leaves the scan input, scans made while the server is down
are sent when it returns and count once. (Nothing holds after "order complete" any more:
tests/browser/test_station_terminal.py.)"""

import pytest
from playwright.sync_api import expect

from sessions.models import OrderItem, ScanEvent
from tests.browser.helpers import (
    SCAN,
    expect_focus_in_scan_input,
    expect_outcome,
    open_station,
    packing_floor,
    scan,
    wait_idle,
)
from tests.builders import build_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def click_and_check_focus(page, selector):
    page.locator(selector).first.click()
    page.wait_for_function("document.activeElement && document.activeElement.id === 'scan-input'",
                           timeout=2000)
    expect_focus_in_scan_input(page)
    wait_idle(page)


def in_dialog(page, kind, key):
    """The in-page dialog of that kind is open; a key answers it and focus comes back."""
    expect(page.locator(f".dlg[data-kind='{kind}']")).to_be_visible()
    if key:
        page.keyboard.press(key)
    else:
        page.keyboard.type("BADGE-SUE")
        page.keyboard.press("Enter")
    expect(page.locator(".dlg")).to_have_count(0)
    page.wait_for_function("document.activeElement && document.activeElement.id === 'scan-input'",
                           timeout=2000)


def test_focus_stays_in_scan_input_after_every_button(server, login_context):
    packing_list, station, worker = packing_floor({"F-1": [("SKU-A", 3), ("SKU-B", 1)],
                                                   "F-2": [("SKU-C", 1)]})
    sue = build_worker("Sue", role="supervisor")
    sue.badge_code = "BADGE-SUE"
    sue.save()
    page = open_station(login_context(worker.user, station), packing_list)
    expect_focus_in_scan_input(page)
    scan(page, "F-1")
    scan(page, "SKU-A")
    scan(page, "UNKNOWN-CODE")
    expect_outcome(page, "unknown_item")

    click_and_check_focus(page, "#btn-sound")
    click_and_check_focus(page, "#status")
    page.locator("tr[data-sku='SKU-A'] .act-confirm").click()
    in_dialog(page, "reason", "F2")  # label damaged
    expect_outcome(page, "confirmed")
    click_and_check_focus(page, "tr[data-sku='SKU-A'] .act-undo")
    expect_outcome(page, "undone")
    scan(page, "UNKNOWN-CODE")
    expect_outcome(page, "unknown_item")
    page.locator("tr[data-sku='SKU-B'] .act-map").click()
    in_dialog(page, "map", "F1")
    expect_outcome(page, "mapped")
    scan(page, "UNKNOWN-CODE")  # now packs SKU-B
    expect_outcome(page, "item_ok")
    expect(page.locator("#items tr[data-sku='SKU-B'] td.qty")).to_have_text("1 / 1")
    scan(page, "SKU-B")
    expect_outcome(page, "extra_item")
    click_and_check_focus(page, "#extras .act-remove")
    expect_outcome(page, "extra_removed")
    scan(page, "SKU-B")
    expect_outcome(page, "extra_item")
    click_and_check_focus(page, "#extras .act-keep")
    expect_outcome(page, "extra_kept")
    page.locator("tr[data-sku='SKU-A'] .act-force").click()
    # Barcode missing: the server then asks for a supervisor, whose dialog takes the keys at
    # once (the scan input gets the focus back after it, not in between).
    expect(page.locator(".dlg[data-kind='reason']")).to_be_visible()
    page.keyboard.press("F1")
    in_dialog(page, "approval", None)
    expect_outcome(page, "force_confirmed")
    expect(page.locator("#history li").first).to_contain_text("F-1")
    click_and_check_focus(page, "#btn-undo")
    click_and_check_focus(page, "#btn-skip")
    page.locator("#btn-end").click()  # F-2 is open: the dialog asks, Esc keeps the list
    in_dialog(page, "end", "Escape")
    expect(page.locator("body")).to_have_attribute("data-state", "ready")
    expect_focus_in_scan_input(page)


def test_scan_while_server_is_down_is_sent_later_and_counts_once(server, login_context):
    packing_list, station, worker = packing_floor({"OFF-1": [("SKU-A", 2)]})
    page = open_station(login_context(worker.user, station), packing_list)
    scan(page, "OFF-1")
    expect_outcome(page, "order_loaded")

    server.stop()
    scan(page, "SKU-A")
    expect(page.locator("body")).to_have_attribute("data-online", "0")
    expect(page.locator("#conn")).to_have_class("conn offline")
    expect(page.locator("body")).to_have_attribute("data-pending", "1")
    stored = page.evaluate(f"localStorage.getItem('packer:{station.name}:list:"
                           f"{packing_list.pk}:outbox')")
    assert "SKU-A" in stored

    server.start()
    expect(page.locator("body")).to_have_attribute("data-pending", "0", timeout=15000)
    expect_outcome(page, "item_ok")
    expect(page.locator("body")).to_have_attribute("data-online", "1")
    item = OrderItem.objects.get(order__packing_list=packing_list)
    assert item.packed == 1
    event = ScanEvent.objects.get(packing_list=packing_list, raw_code="SKU-A")

    # The same scan id sent again (a retry after a lost answer) is answered, not counted.
    answer = page.evaluate(
        """async ([listId, scanId, station]) => {
            const token = localStorage.getItem(`packer:${station}:list:${listId}:token`);
            const csrf = document.querySelector('[name=csrfmiddlewaretoken]').value;
            const res = await fetch(`/api/v1/lists/${listId}/scan/`, {method: 'POST',
              headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf,
                        'X-Claim-Token': token},
              body: JSON.stringify({code: 'SKU-A', scan_id: scanId})});
            return await res.json();
        }""", [packing_list.pk, event.scan_id, station.name])
    assert answer["duplicate"] is True
    item.refresh_from_db()
    assert item.packed == 1
    assert ScanEvent.objects.filter(packing_list=packing_list, raw_code="SKU-A").count() == 1
    page.locator(SCAN).focus()
