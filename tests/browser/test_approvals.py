"""Approval at the station in a real browser (issue 10): a supervisor's badge scanned into the
in-page dialog approves a remap, a packer's badge is refused, a packer releases the list for a
break and another packer claims it and resumes exactly, a problem order is set aside by F10,
ending early needs the badge too, and a kept extra shows as "+1 kept"."""

import pytest
from playwright.sync_api import expect

from profiles.models import SkuMapping
from sessions.models import Approval, Order, OrderItem, PackingList
from tests.browser.helpers import (
    expect_focus_in_scan_input,
    expect_outcome,
    open_station,
    packing_floor,
    scan,
)
from tests.builders import add_order, build_mapping, build_station, build_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEO, SUN = "DC-DO-050", "DC-SC-050"
DEO_BARCODE = "3801234500086"


def badge(worker, code):
    worker.badge_code = code
    worker.save(update_fields=["badge_code"])
    return worker


def type_and_enter(page, code):
    """A scanner typing into whatever has the focus, ending with Enter."""
    page.keyboard.type(code)
    page.keyboard.press("Enter")


@pytest.fixture
def remap_floor(server, login_context):
    """Scenario 39's setting: the deodorant's barcode is known; the open order has sunscreen."""
    packing_list, station, worker = packing_floor({"O-SUN": [(SUN, 2, "Sunscreen SPF 50")]})
    other = packing_floor({"O-DEO": [(DEO, 1, "Deodorant 50 ml")]})[0]
    other.session.client = packing_list.session.client
    other.session.save()
    build_mapping(packing_list.session.client, DEO_BARCODE, DEO)
    page = open_station(login_context(worker.user, station), packing_list)
    scan(page, "O-SUN")
    expect_outcome(page, "order_loaded")
    scan(page, DEO_BARCODE)
    expect_outcome(page, "unknown_item")
    page.locator(f"tr[data-sku='{SUN}'] .act-map").click()
    mapping = page.locator(".dlg[data-kind='map']")
    expect(mapping).to_be_visible()
    page.keyboard.press("Enter")  # a stray Enter never maps
    expect(mapping).to_be_visible()
    page.keyboard.press("F1")
    approval = page.locator(".dlg[data-kind='approval']")
    expect(approval).to_be_visible()
    expect(approval).to_contain_text(f"{DEO} — Deodorant 50 ml")
    expect(approval).to_contain_text(f"{SUN} — Sunscreen SPF 50")
    return page, packing_list, worker


def test_s39_the_approval_dialog_by_badge_scan(remap_floor):
    page, packing_list, worker = remap_floor
    badge(build_worker("Sue Supervisor", role="supervisor"), "SUE-1")
    type_and_enter(page, "SUE-1")
    expect(page.locator(".dlg")).to_have_count(0)
    expect_outcome(page, "remapped")
    expect_focus_in_scan_input(page)
    scan(page, DEO_BARCODE)
    expect_outcome(page, "item_ok")
    assert SkuMapping.objects.get(barcode=DEO_BARCODE).sku == SUN
    approval = Approval.objects.get()
    assert approval.approver.display_name == "Sue Supervisor" and approval.method == "badge"
    assert approval.requested_by == worker


def test_s39_a_refused_remap(remap_floor):
    page, packing_list, _worker = remap_floor
    badge(build_worker("Pat Packer", role="packer"), "PAT-1")
    type_and_enter(page, "PAT-1")
    dialog = page.locator(".dlg[data-kind='approval']")
    expect(dialog.locator(".dlg-error")).to_contain_text("Pat Packer is not a supervisor")
    type_and_enter(page, "NO-SUCH-BADGE")
    expect(dialog.locator(".dlg-error")).to_contain_text("This badge is not known")
    page.keyboard.press("Escape")
    expect(page.locator(".dlg")).to_have_count(0)
    expect(page.locator("#status-detail")).to_contain_text("nothing was changed")
    expect(page.locator("body")).to_have_attribute("data-pending", "0")
    expect_focus_in_scan_input(page)
    assert SkuMapping.objects.get(barcode=DEO_BARCODE).sku == DEO
    assert not Approval.objects.exists()
    scan(page, DEO_BARCODE)  # the deodorant still reads as itself
    expect_outcome(page, "unknown_item")


def test_s43_a_packer_releases_for_a_break_and_another_claims_and_resumes(server, login_context):
    packing_list, station, worker = packing_floor({"B-1": [("SKU-A", 3)], "B-2": [("SKU-B", 1)]})
    first = open_station(login_context(worker.user, station), packing_list)
    scan(first, "B-1")
    scan(first, "SKU-A")
    expect_outcome(first, "item_ok")
    first.keyboard.press("F8")
    expect(first.locator("#overlay")).to_have_attribute("data-kind", "released")
    packing_list.refresh_from_db()
    assert packing_list.claim_token is None
    assert packing_list.claim_events.filter(kind="release", worker=worker).exists()

    other = build_worker("Olga", role="packer")
    second = open_station(login_context(other.user, build_station("PC-B")), packing_list)
    expect(second.locator("#order-number")).to_have_text("B-1")
    expect(second.locator("#items tr[data-sku='SKU-A'] td.qty")).to_have_text("1 / 3")
    expect(second.locator("#status-headline")).to_have_text("Order loaded")
    scan(second, "SKU-A")
    scan(second, "SKU-A")
    expect_outcome(second, "order_complete")
    assert OrderItem.objects.get(sku="SKU-A").packed == 3
    assert Order.objects.get(number="B-1").completed_by == other


def test_f10_sets_a_problem_order_aside(server, login_context):
    packing_list, station, worker = packing_floor({"P-1": [("SKU-A", 2)], "P-2": [("SKU-B", 1)]})
    page = open_station(login_context(worker.user, station), packing_list)
    scan(page, "P-1")
    scan(page, "SKU-A")
    expect_outcome(page, "item_ok")
    page.keyboard.press("F10")
    dialog = page.locator(".dlg[data-kind='problem']")
    expect(dialog).to_contain_text("Short")
    page.locator("#dlg-note").fill("one missing on the shelf")
    page.keyboard.press("F1")
    expect_outcome(page, "order_flagged")
    expect(page.locator("#order-number")).to_have_text("—")
    scan(page, "P-1")
    expect_outcome(page, "order_needs_review")
    expect(page.locator("#order-number")).to_have_text("—")
    order = Order.objects.get(number="P-1")
    assert order.status == "needs_review" and order.problem_note == "one missing on the shelf"


def test_ending_early_needs_the_badge_in_the_same_dialog(server, login_context):
    packing_list, station, worker = packing_floor({"E-1": [("SKU-A", 1)], "E-2": [("SKU-B", 1)]})
    badge(build_worker("Sue", role="supervisor"), "SUE-2")
    page = open_station(login_context(worker.user, station), packing_list)
    page.keyboard.press("F9")
    dialog = page.locator(".dlg[data-kind='end']")
    expect(dialog).to_contain_text("E-1")
    page.keyboard.press("F9")  # a packer cannot end it alone: no F9 choice in the dialog
    expect(dialog).to_be_visible()
    type_and_enter(page, "SUE-2")
    expect(page.locator("#overlay")).to_have_attribute("data-kind", "ended")
    packing_list.refresh_from_db()
    assert packing_list.status == PackingList.Status.COMPLETED
    assert Approval.objects.get().action == "end_early"


def test_a_kept_extra_shows_on_its_line(server, login_context):
    packing_list, station, worker = packing_floor({"K-1": [("SKU-A", 1), ("SKU-B", 1)]})
    add_order(packing_list, "K-2", [("SKU-C", 1)], sequence=2)
    page = open_station(login_context(worker.user, station), packing_list)
    for code in ("K-1", "SKU-A", "SKU-A"):
        scan(page, code)
    expect_outcome(page, "extra_item")
    page.keyboard.press("F6")
    expect_outcome(page, "extra_kept")
    expect(page.locator("#items tr[data-sku='SKU-A'] td.qty .kept")).to_have_text("+1 kept")
