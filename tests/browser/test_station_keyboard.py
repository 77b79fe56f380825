"""A whole list packed with the keyboard only: wrong item, extra kept, undo, skip, resume."""

import pytest
from playwright.sync_api import expect

from sessions.models import Order, PackingList, ScanEvent
from tests.browser.helpers import expect_outcome, open_station, packing_floor, scan, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_whole_list_by_keyboard_only(server, login_context):
    packing_list, station, worker = packing_floor({
        "ORD-1": [("SKU-A", 2), ("SKU-B", 1)],
        "ORD-2": [("SKU-C", 1)],
        "ORD-3": [("SKU-D", 2)],
    })
    page = open_station(login_context(worker.user, station), packing_list)

    scan(page, "ORD-1")
    expect_outcome(page, "order_loaded")
    expect(page.locator("#order-number")).to_have_text("ORD-1")
    scan(page, "SKU-A")
    expect_outcome(page, "item_ok")
    scan(page, "NOT-IN-ORDER")
    expect_outcome(page, "unknown_item")
    scan(page, "ORD-2")  # another order's label: said plainly, skipping is offered
    expect_outcome(page, "other_order_label")
    expect(page.locator("#btn-offer-skip")).to_be_visible()
    scan(page, "SKU-A")
    scan(page, "SKU-A")
    expect_outcome(page, "extra_item")
    expect(page.locator("#extras [data-extra='SKU-A']")).to_be_visible()
    scan(page, "SKU-B")
    expect_outcome(page, "complete_with_extras")
    page.keyboard.press("F6")  # keep the extra: the order completes
    expect_outcome(page, "extra_kept")
    expect(page.locator("#history li").first).to_contain_text("ORD-1")

    # Typed during the 3-second clear: queued, then processed.
    scan(page, "ORD-3")
    expect_outcome(page, "order_loaded", timeout=10000)
    expect(page.locator("#order-number")).to_have_text("ORD-3")
    scan(page, "SKU-D")
    expect_outcome(page, "item_ok")
    page.keyboard.press("F4")  # undo the last item
    expect_outcome(page, "undone")
    expect(page.locator("#items tr[data-sku='SKU-D'] td.qty")).to_have_text("0 / 2")
    page.keyboard.press("F2")  # skip ORD-3
    expect_outcome(page, "skipped")

    scan(page, "ORD-2")
    scan(page, "SKU-C")
    # Every order is now completed or skipped: "all done", once.
    expect(page.locator("body")).to_have_attribute("data-all-done", "1")
    expect(page.locator("#overlay")).to_have_attribute("data-kind", "all-done")
    page.keyboard.press("Escape")
    expect(page.locator("#overlay")).to_be_hidden()

    scan(page, "ORD-3")  # resume the skipped order, typed during the clear
    expect_outcome(page, "order_loaded", timeout=10000)
    expect(page.locator("#items tr[data-sku='SKU-D'] td.qty")).to_have_text("0 / 2")
    scan(page, "SKU-D")
    scan(page, "SKU-D")
    expect_outcome(page, "order_complete")
    expect(page.locator("#overlay")).to_be_hidden()  # announced once only
    wait_idle(page)

    page.keyboard.press("F9")  # end the list: nothing open, no confirmation needed
    expect(page.locator("#overlay")).to_have_attribute("data-kind", "ended")
    expect(page.locator("#report-link")).to_be_visible()

    packing_list.refresh_from_db()
    assert packing_list.status == PackingList.Status.COMPLETED
    orders = {o.number: o for o in Order.objects.filter(packing_list=packing_list)}
    assert {o.status for o in orders.values()} == {"completed"}
    assert orders["ORD-1"].unknown_scans == 1
    assert orders["ORD-1"].extras.get().kept == 1
    assert orders["ORD-3"].corrections == 1
    assert [i.packed for i in orders["ORD-3"].items.all()] == [2]
    assert ScanEvent.objects.filter(packing_list=packing_list, action="skip").count() == 1
