"""Data and page helpers shared by the browser tests."""

from playwright.sync_api import expect

from tests.builders import add_order, build_list, build_station, build_worker

SCAN = "#scan-input"


def packing_floor(orders, *, role="packer"):
    """A list with `orders`, a station and a worker of `role`."""
    packing_list = build_list(orders)
    return packing_list, build_station(), build_worker(role=role)


def open_station(context, packing_list):
    page = context.new_page()
    page.goto(f"/station/lists/{packing_list.pk}/")
    expect(page.locator("body")).to_have_attribute("data-state", "ready")
    return page


def scan(page, code):
    """Type a code and Enter, like a USB scanner. The same code again is a second scan by a
    hand (not a scanner's double read, PACKER_SCANNER_DOUBLE_FIRE_MS): at least 200 ms later."""
    if getattr(page, "_last_scan", None) == code:
        page.wait_for_timeout(200)
    page._last_scan = code
    page.locator(SCAN).press_sequentially(code, delay=0)
    page.keyboard.press("Enter")


def wait_idle(page):
    """Every queued scan has been answered."""
    expect(page.locator("body")).to_have_attribute("data-pending", "0")


def expect_outcome(page, outcome, timeout=8000):
    """The answer to the last queued scan or action had this outcome."""
    expect(page.locator("body")).to_have_attribute("data-pending", "0", timeout=timeout)
    expect(page.locator("body")).to_have_attribute("data-last-outcome", outcome, timeout=timeout)


def expect_focus_in_scan_input(page):
    """The scan input has the focus (within 2 s: a closing dialog hands it back after its own
    animation frame, as a scanner's next keystrokes find it)."""
    expect(page.locator("#scan-input")).to_be_focused(timeout=2000)


__all__ = ["add_order", "packing_floor", "open_station", "scan", "wait_idle", "expect_outcome",
           "expect_focus_in_scan_input", "SCAN"]
