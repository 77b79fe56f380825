"""The station on a real floor (issue 11), scanner-only: skip clears the order, nothing holds
after "order complete", undo goes back step by step (also after a reload), a scan after "list
ended" is answered, the end-of-list summary, today's history without duplicates, a progress bar
that does not count skipped orders, and no native browser dialog on the way."""

import re

import pytest
from playwright.sync_api import expect

from sessions.models import OrderItem
from tests.browser.helpers import expect_outcome, open_station, packing_floor, scan, wait_idle
from tests.builders import build_list

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def qty(page, sku):
    return page.locator(f"#items tr[data-sku='{sku}'] td.qty")


def test_skip_clears_the_order_and_after_another_label_opens_that_order(server, login_context):
    packing_list, station, worker = packing_floor({"S-1": [("SKU-A", 2)], "S-2": [("SKU-B", 1)]})
    page = open_station(login_context(worker.user, station), packing_list)
    scan(page, "S-1")
    scan(page, "SKU-A")
    expect_outcome(page, "item_ok")
    page.keyboard.press("F2")
    expect_outcome(page, "skipped")
    # The skipped order leaves the screen: no lines, no live buttons, "scan a label".
    expect(page.locator("#order-number")).to_have_text("—")
    expect(page.locator("#items tbody tr")).to_have_count(0)
    expect(page.locator("#status-detail")).to_contain_text("scan a label")

    scan(page, "S-1")  # resumes it
    expect_outcome(page, "order_loaded")
    expect(qty(page, "SKU-A")).to_have_text("1 / 2")
    scan(page, "S-2")
    expect_outcome(page, "other_order_label")
    expect(page.locator("#btn-offer-skip")).to_contain_text("S-2")
    page.keyboard.press("F2")  # skips S-1 and opens S-2 at once, as the message promised
    expect_outcome(page, "order_loaded")
    expect(page.locator("#order-number")).to_have_text("S-2")
    scan(page, "SKU-B")
    expect_outcome(page, "order_complete")


def test_no_hold_after_order_complete_or_already_completed(server, login_context):
    packing_list, station, worker = packing_floor({"C-1": [("SKU-A", 1)], "C-2": [("SKU-B", 1)],
                                                   "C-3": [("SKU-C", 1)]})
    page = open_station(login_context(worker.user, station), packing_list)
    scan(page, "C-1")
    scan(page, "SKU-A")
    expect_outcome(page, "order_complete")
    page.wait_for_timeout(600)  # the completion message stays until the next scan
    expect(page.locator("#status")).to_have_attribute("data-outcome", "order_complete")
    expect(page.locator("#order-number")).to_have_text("C-1")
    scan(page, "C-2")  # opens at once: no 3-second hold
    expect_outcome(page, "order_loaded", timeout=1500)
    expect(page.locator("#order-number")).to_have_text("C-2", timeout=100)
    scan(page, "SKU-B")
    expect_outcome(page, "order_complete")
    scan(page, "C-1")
    expect_outcome(page, "order_already_completed")
    scan(page, "C-3")  # "already completed" never holds either
    expect_outcome(page, "order_loaded", timeout=1500)
    expect(page.locator("#order-number")).to_have_text("C-3", timeout=100)


def test_undo_goes_back_step_by_step_and_after_a_reload(server, login_context):
    packing_list, station, worker = packing_floor({"U-1": [("SKU-A", 2), ("SKU-B", 2)]})
    context = login_context(worker.user, station)
    page = open_station(context, packing_list)
    for code in ("U-1", "SKU-A", "SKU-B", "SKU-A"):
        scan(page, code)
    wait_idle(page)
    expect(qty(page, "SKU-A")).to_have_text("2 / 2")
    page.keyboard.press("F4")
    expect_outcome(page, "undone")
    expect(qty(page, "SKU-A")).to_have_text("1 / 2")
    page.keyboard.press("F4")
    expect_outcome(page, "undone")
    expect(qty(page, "SKU-B")).to_have_text("0 / 2")

    page.reload()
    expect(page.locator("body")).to_have_attribute("data-state", "ready")
    expect(page.locator("#order-number")).to_have_text("U-1")
    page.keyboard.press("F4")
    expect_outcome(page, "undone")
    expect(qty(page, "SKU-A")).to_have_text("0 / 2")
    page.keyboard.press("F4")
    expect_outcome(page, "already_zero")
    assert list(OrderItem.objects.filter(order__packing_list=packing_list)
                .values_list("packed", flat=True)) == [0, 0]


def end_the_list(page):
    scan(page, "E-1")
    scan(page, "SKU-A")
    expect_outcome(page, "order_complete")
    expect(page.locator("#overlay")).to_have_attribute("data-kind", "all-done")
    page.keyboard.press("F9")
    expect(page.locator("body")).to_have_attribute("data-state", "ended")


def test_after_list_ended_a_scan_is_answered_and_a_list_barcode_opens_that_list(
        server, login_context):
    packing_list, station, worker = packing_floor({"E-1": [("SKU-A", 1)]})
    next_list = build_list({"N-1": [("SKU-N", 1)]}, session=packing_list.session)
    page = open_station(login_context(worker.user, station), packing_list)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.type), d.dismiss()))
    end_the_list(page)
    # The end-of-list summary.
    summary = page.locator("#end-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("tr[data-key='orders'] td")).to_have_text("1 of 1")
    expect(summary.locator("tr[data-key='units'] td")).to_have_text("1 of 1")
    for row in ("skipped", "flagged", "extras_kept", "wrong_scans", "time"):
        expect(summary.locator(f"tr[data-key='{row}']")).to_have_count(1)

    scan(page, "SKU-A")  # not a buzz only: a message says what to do
    expect(page.locator("#status")).to_have_attribute("data-outcome", "error")
    expect(page.locator("#status-detail")).to_contain_text("LIST-")
    scan(page, f"LIST-{next_list.pk}")
    expect(page).to_have_url(re.compile(rf"/station/lists/{next_list.pk}/$"))
    expect(page.locator("body")).to_have_attribute("data-state", "ready")
    assert dialogs == []


def test_after_list_ended_esc_leaves(server, login_context):
    packing_list, station, worker = packing_floor({"E-1": [("SKU-A", 1)]})
    page = open_station(login_context(worker.user, station), packing_list)
    end_the_list(page)
    page.keyboard.press("Escape")
    expect(page).to_have_url(re.compile(r"/station/\?client="))


def test_history_has_no_duplicates_and_progress_does_not_count_skipped(server, login_context):
    packing_list, station, worker = packing_floor({"H-1": [("SKU-A", 1)], "H-2": [("SKU-B", 1)],
                                                   "H-3": [("SKU-C", 1)], "H-4": [("SKU-D", 1)]})
    page = open_station(login_context(worker.user, station), packing_list)
    for code in ("H-1", "SKU-A", "H-2", "SKU-B"):
        scan(page, code)
    expect_outcome(page, "order_complete")
    scan(page, "H-1")
    expect_outcome(page, "order_already_completed")
    expect(page.locator("#history li")).to_have_count(2)
    scan(page, "H-3")
    expect_outcome(page, "order_loaded")
    page.keyboard.press("F2")
    expect_outcome(page, "skipped")
    # 2 of 4 done: the skipped order is not done.
    expect(page.locator("#progress-bar")).to_have_attribute("style", re.compile(r"width: 50%"))


def test_destructive_choices_take_a_function_key_never_enter(server, login_context):
    packing_list, station, worker = packing_floor({"D-1": [("SKU-A", 2)], "D-2": [("SKU-B", 1)]})
    page = open_station(login_context(worker.user, station), packing_list)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.type), d.dismiss()))
    scan(page, "D-1")
    expect_outcome(page, "order_loaded")
    page.keyboard.press("F9")  # orders are open: the in-page dialog asks
    expect(page.locator(".dlg[data-kind='end']")).to_be_visible()
    page.keyboard.type("D-2")
    page.keyboard.press("Enter")  # a scanner's Enter does not end the list
    page.wait_for_timeout(300)
    expect(page.locator(".dlg[data-kind='end']")).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("F10")  # a problem: a reason by its key, never by Enter
    expect(page.locator(".dlg[data-kind='problem']")).to_be_visible()
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    expect(page.locator(".dlg[data-kind='problem']")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("body")).to_have_attribute("data-state", "ready")
    assert packing_list.orders.get(number="D-1").status == "in_progress"
    assert dialogs == []


def test_scanner_affixes_are_stripped_and_a_double_read_is_one_unit(server, login_context):
    packing_list, station, worker = packing_floor({"G-1": [("SKU-A", 3)]})
    page = open_station(login_context(worker.user, station), packing_list)
    scan(page, "]Q3G-1")  # an AIM symbology identifier before the code
    expect_outcome(page, "order_loaded")
    page.locator("#scan-input").press_sequentially("]C1SKU-A", delay=0)
    page.keyboard.press("Tab")  # a scanner set to end codes with Tab
    expect_outcome(page, "item_ok")
    expect(page.locator("#last-scan .code")).to_have_text("SKU-A")
    expect(page.locator("#scan-input")).to_be_focused()
    page.wait_for_timeout(200)  # a hand's second scan, not a double read
    page.keyboard.insert_text("SKU\x1d-A")  # a GS1 group separator inside the code
    page.keyboard.press("Enter")
    expect_outcome(page, "item_ok")
    expect(qty(page, "SKU-A")).to_have_text("2 / 3")
    # The scanner fires twice (the same code within 150 ms): one unit, shown and counted.
    page.wait_for_timeout(200)  # (and the first of the two is not a double of the last scan)
    page.evaluate("""() => {
        const input = document.getElementById('scan-input');
        for (let i = 0; i < 2; i++) {
            input.value = 'SKU-A';
            input.dispatchEvent(new KeyboardEvent('keydown',
                {key: 'Enter', code: 'Enter', bubbles: true}));
        }
    }""")
    expect_outcome(page, "order_complete")
    expect(page.locator("body")).to_have_attribute("data-double-reads", "1")
    expect(page.locator("#double-reads")).to_contain_text("1")
    assert OrderItem.objects.get().packed == 3
    assert packing_list.scan_events.filter(raw_code="SKU-A").count() == 3  # sent clean, once each


def region_boxes(page):
    """Layout boxes of the main regions (offsets: the status box's flash is a transform)."""
    return page.evaluate("""() => Object.fromEntries(
        ['.st-top', '#status', '#order-panel', 'aside.side', '#items-scroll'].map((s) => {
            const e = document.querySelector(s);
            return [s, [e.offsetLeft, e.offsetTop, e.offsetWidth, e.offsetHeight]];
        }))""")


def test_offline_scans_answer_at_once_and_the_server_figures_replace_them(server, login_context):
    from tests.builders import build_mapping

    packing_list, station, worker = packing_floor({"OF-1": [("SKU-A", 2), ("SKU-B", 1)]})
    build_mapping(packing_list.session.client, "BAR-B", "SKU-B")
    context = login_context(worker.user, station)
    page = open_station(context, packing_list)
    scan(page, "OF-1")
    expect_outcome(page, "order_loaded")
    before = region_boxes(page)

    context.set_offline(True)
    scan(page, "SKU-A")
    expect(page.locator("#status-headline")).to_have_text("Saved offline")
    expect(page.locator("#status-detail")).to_contain_text("1 waiting")
    expect(page.locator("#status")).to_have_class(re.compile(r"t-ok"))
    expect(page.locator("body")).to_have_attribute("data-sound", "offline")
    expect(qty(page, "SKU-A")).to_contain_text("1 / 2")
    expect(page.locator("#items tr[data-sku='SKU-A']")).to_have_class(re.compile("unconfirmed"))
    expect(page.locator("body")).to_have_attribute("data-online", "0")
    # Once offline, the next scans are answered in the key handler itself.
    scan(page, "BAR-B")  # a mapped barcode the screen cannot know: the server will say
    expect(page.locator("#status-detail")).to_contain_text("2 waiting")
    expect(page.locator("#status")).to_have_class(re.compile(r"t-warn"))
    scan(page, "SKU-A")
    expect(page.locator("#status-detail")).to_contain_text("3 waiting")
    expect(qty(page, "SKU-A")).to_contain_text("2 / 2")
    assert region_boxes(page) == before  # no layout jump

    context.set_offline(False)
    expect(page.locator("body")).to_have_attribute("data-pending", "0", timeout=15000)
    expect(page.locator("body")).to_have_attribute("data-online", "1")
    expect(qty(page, "SKU-A")).to_have_text("2 / 2")
    expect(qty(page, "SKU-B")).to_have_text("1 / 1")
    expect(page.locator("#items tr.unconfirmed")).to_have_count(0)
    # The scan the screen could not judge was a unit of SKU-B: the difference is shown.
    expect(page.locator("#offline-diff")).to_contain_text("BAR-B")
    expect(page.locator("#offline-diff")).to_contain_text("Item OK")
    assert dict(OrderItem.objects.values_list("sku", "packed")) == {"SKU-A": 2, "SKU-B": 1}


@pytest.mark.parametrize("layout", ["uk", "bg-standard"])
def test_station_scan_field_reads_a_scanner_under_a_cyrillic_layout(server, login_context, layout):
    from tests.browser.keys import scanner_type

    packing_list, station, worker = packing_floor({"DC-1": [("DC-SC-050", 2)]})
    page = open_station(login_context(worker.user, station), packing_list)
    scanner_type(page, "DC-1", layout)
    expect_outcome(page, "order_loaded")
    scanner_type(page, "DC-SC-050", layout, terminator="Tab")
    expect_outcome(page, "item_ok")
    expect(qty(page, "DC-SC-050")).to_have_text("1 / 2")
