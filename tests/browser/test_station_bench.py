"""Issue 13 at the station, scanner and keyboard only: a two-box order packed with command
barcodes (new box, reprint, skip, undo, end), the labels printed on completion to a fake
printer (a TCP listener in the test), and a printer failure shown with "Reprint"."""

import pytest
from playwright.sync_api import expect

from profiles.models import ClientSettings
from sessions.models import Order, PackingList, ScanEvent
from tests.browser.helpers import expect_outcome, open_station, packing_floor, scan
from tests.fake_printer import FakePrinter, barcode_data, closed_address

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = "/tmp/h13-shots"


@pytest.fixture
def printer():
    fake = FakePrinter()
    yield fake
    fake.close()


def test_a_two_box_order_with_command_barcodes_only(server, login_context, printer):
    packing_list, station, worker = packing_floor({
        "ORD-1": [("SKU-A", 2, "Крем за ръце"), ("SKU-B", 1)],
        "ORD-2": [("SKU-C", 2)],
    })
    ClientSettings.objects.create(client=packing_list.session.client, print_on_complete="label",
                                  printer_address=printer.address)
    page = open_station(login_context(worker.user, station), packing_list)

    scan(page, "ORD-1")
    expect_outcome(page, "order_loaded")
    scan(page, "SKU-A")
    expect_outcome(page, "item_ok")
    scan(page, "CMD:NEW-BOX")
    expect_outcome(page, "box_opened")
    expect(page.locator("#boxes-panel")).to_be_visible()
    expect(page.locator("#boxes-list li")).to_have_count(2)
    scan(page, "SKU-A")
    expect_outcome(page, "item_ok")
    expect(page.locator("#boxes-list li[data-box='2']")).to_contain_text("SKU-A×1")
    page.screenshot(path=f"{SHOTS}/station-two-boxes-1440.png")
    scan(page, "SKU-B")
    expect_outcome(page, "order_complete")
    (on_complete,) = printer.wait(1)
    assert barcode_data(on_complete) == ["ORD-1", "ORD-1"]
    assert "box 1/2" in on_complete and "box 2/2" in on_complete
    expect(page.locator("#print-msg")).to_have_attribute("data-kind", "ok", timeout=10000)

    scan(page, "CMD:REPRINT")  # the last completed order's labels again
    jobs = printer.wait(2)
    assert barcode_data(jobs[1]) == ["ORD-1", "ORD-1"]
    expect(page.locator("#print-msg")).to_have_attribute("data-kind", "ok")
    expect(page.locator("#slip-link")).to_be_visible()

    scan(page, "ORD-2")
    expect_outcome(page, "order_loaded", timeout=10000)
    scan(page, "SKU-C")
    expect_outcome(page, "item_ok")
    scan(page, "CMD:UNDO")
    expect_outcome(page, "undone")
    expect(page.locator("#items tr[data-sku='SKU-C'] td.qty")).to_have_text("0 / 2")
    scan(page, "CMD:SKIP")
    expect_outcome(page, "skipped")
    scan(page, "cmd:nothing")  # an unknown command is said plainly, never sent as a scan
    expect(page.locator("body")).to_have_attribute("data-last-command", "unknown")
    scan(page, "CMD:END")
    expect(page.locator("body")).to_have_attribute("data-state", "ended")

    packing_list.refresh_from_db()
    assert packing_list.status == PackingList.Status.COMPLETED
    order = Order.objects.get(number="ORD-1")
    assert order.box_count == 2 and order.status == Order.Status.COMPLETED
    assert not ScanEvent.objects.filter(raw_code__istartswith="CMD").exists()
    assert set(ScanEvent.objects.values_list("action", flat=True)) >= {"new_box", "undo", "skip"}


@pytest.mark.parametrize("language,size", [("bg", (800, 600)), ("uk", (1920, 1080))])
def test_a_printer_failure_shows_with_reprint_and_keys_work(server, login_context, language,
                                                            size):
    packing_list, station, worker = packing_floor({"ORD-9": [("SKU-Z", 1)]})
    ClientSettings.objects.create(client=packing_list.session.client, print_on_complete="label",
                                  printer_address=closed_address())
    context = login_context(worker.user, station)
    context.add_cookies([{"name": "django_language", "value": language, "url": server.url}])
    page = open_station(context, packing_list)
    page.set_viewport_size({"width": size[0], "height": size[1]})
    scan(page, "ORD-9")
    expect_outcome(page, "order_loaded")
    scan(page, "SKU-Z")
    expect_outcome(page, "order_complete")
    expect(page.locator("#print-msg")).to_have_attribute("data-kind", "failed", timeout=15000)
    expect(page.locator("#btn-print-retry")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/station-print-failed-{language}-{size[0]}.png")
    page.keyboard.press("F1")  # reprint by key: still failing, still said plainly
    expect(page.locator("#print-msg")).to_have_attribute("data-kind", "failed")
    assert Order.objects.get(number="ORD-9").status == Order.Status.COMPLETED
