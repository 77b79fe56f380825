"""Approval at the station (issue 10, scenarios 18, 39, 40): risky actions need a supervisor's
badge or username + PIN, the API contract of approval_required / approval_refused, the approval
stored with its event, throttling like sign-ins, and reasons for every manual fill."""

import pytest
from django.contrib.auth.models import User

from profiles.models import ClientSettings, SkuMapping, Worker
from profiles.roles import PACKER, SUPERVISOR, assign_role
from sessions.models import Approval, OrderItem, ScanEvent
from tests.api_helpers import action, assert_error, claim, role_client, scan, supervisor_badge
from tests.builders import add_order, build_client, build_list, build_session, build_station

pytestmark = pytest.mark.django_db

DEODORANT, SUNSCREEN = "DC-DO-050", "DC-SC-050"
DEO_BARCODE = "3801234500086"


@pytest.fixture
def floor():
    """Client DC with a deodorant mapping; a packer holds a list whose order has sunscreen."""
    client = build_client("DC")
    SkuMapping.objects.create(client=client, barcode=DEO_BARCODE, sku=DEODORANT)
    other = build_list({"O-DEO": [(DEODORANT, 1, "Deodorant 50 ml")]},
                       session=build_session(client))
    packing_list = build_list({"O-SUN": [(SUNSCREEN, 2, "Sunscreen SPF 50")],
                               "O-SUN2": [(SUNSCREEN, 1, "Sunscreen SPF 50")]},
                              session=build_session(client))
    build_station("PC-1")
    api = role_client("packer")
    token = claim(api, packing_list.pk, "PC-1").json()["token"]
    scan(api, packing_list.pk, token, "O-SUN")
    packing_list.refresh_from_db()
    return api, packing_list, token, other


def line(packing_list, number="O-SUN"):
    return OrderItem.objects.get(order__packing_list=packing_list, order__number=number)


def remap(api, packing_list, token, **fields):
    return action(api, packing_list.pk, token, "map", barcode=DEO_BARCODE, sku=SUNSCREEN,
                  **fields)


def test_s39_a_packer_cannot_repoint_a_known_barcode(floor):
    api, packing_list, token, _other = floor
    assert scan(api, packing_list.pk, token, DEO_BARCODE).json()["outcome"] == "unknown_item"
    body = assert_error(remap(api, packing_list, token, scan_id="map-1"), 403,
                        "approval_required")
    assert body["approve_with"] == ["badge", "pin"]
    assert body["action"] == "remap"
    assert body["mapping"] == {
        "barcode": DEO_BARCODE,
        "old": {"sku": DEODORANT, "product_name": "Deodorant 50 ml"},
        "new": {"sku": SUNSCREEN, "product_name": "Sunscreen SPF 50"},
    }
    assert SkuMapping.objects.get(barcode=DEO_BARCODE).sku == DEODORANT
    assert not ScanEvent.objects.filter(scan_id="map-1").exists()
    # The deodorant still reads as itself: not an item of this order.
    assert scan(api, packing_list.pk, token, DEO_BARCODE).json()["outcome"] == "unknown_item"
    assert line(packing_list).packed == 0


def test_s39_a_supervisors_badge_approves_the_remap_and_history_keeps_both(floor):
    api, packing_list, token, _other = floor
    remap(api, packing_list, token, scan_id="map-1")
    answer = remap(api, packing_list, token, scan_id="map-1", approval=supervisor_badge())
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["outcome"] == "remapped"
    assert body["mapping"] == {"barcode": DEO_BARCODE, "sku": SUNSCREEN,
                               "previous_sku": DEODORANT}
    event = ScanEvent.objects.get(scan_id="map-1")
    approval = Approval.objects.get()
    assert approval.scan_event == event and approval.action == "remap"
    assert approval.method == "badge" and approval.approver.display_name == "Sue"
    assert approval.requested_by == packing_list.holder and approval.station.name == "PC-1"
    history = SkuMapping.objects.get(barcode=DEO_BARCODE).history.first()
    assert history.worker == packing_list.holder and history.station.name == "PC-1"
    assert history.approved_by.display_name == "Sue"
    assert history.history_user == api.user
    # A retry of the approved request is answered from the log (no second approval).
    again = remap(api, packing_list, token, scan_id="map-1", approval=supervisor_badge())
    assert again.json()["duplicate"] is True and Approval.objects.count() == 1
    assert scan(api, packing_list.pk, token, DEO_BARCODE).json()["outcome"] == "item_ok"


@pytest.fixture
def sue():
    """A supervisor with PIN 2468 (username sue)."""
    worker = Worker(user=assign_role(User.objects.create_user("sue"), SUPERVISOR),
                    display_name="Sue")
    worker.set_pin("2468")
    worker.save()
    return worker


def test_s39_username_and_pin_approve_too(floor, sue):
    api, packing_list, token, _other = floor
    answer = remap(api, packing_list, token, approval={"username": "sue", "pin": "2468"})
    assert answer.json()["outcome"] == "remapped"
    assert Approval.objects.get().method == "pin"


@pytest.mark.parametrize("approval", [
    {"badge": "NO-SUCH-BADGE"}, {"username": "sue", "pin": "0000"}, {"badge": "PACKER-BADGE"},
    {"username": "sue"}, {},
])
def test_a_wrong_or_non_supervisor_approval_is_refused(floor, sue, approval):
    api, packing_list, token, _other = floor
    Worker.objects.create(user=assign_role(User.objects.create_user("pat"), PACKER),
                          display_name="Pat", badge_code="PACKER-BADGE")
    response = remap(api, packing_list, token, approval=approval)
    if approval:
        body = assert_error(response, 403, "approval_refused")
        assert body["approve_with"] == ["badge", "pin"]
    else:  # an empty approval is no approval
        assert_error(response, 403, "approval_required")
    if approval == {"badge": "PACKER-BADGE"}:
        assert "Pat" in body["message"]
    assert SkuMapping.objects.get(barcode=DEO_BARCODE).sku == DEODORANT
    assert not Approval.objects.exists()


def test_approvals_are_throttled_like_sign_ins(floor, sue):
    api, packing_list, token, _other = floor
    for pin in ("0000", "1111", "2222", "3333"):
        assert_error(remap(api, packing_list, token, approval={"username": "sue", "pin": pin}),
                     403, "approval_refused")
    locked = remap(api, packing_list, token, approval={"username": "sue", "pin": "4444"})
    assert_error(locked, 429, "locked_out")
    right = remap(api, packing_list, token, approval={"username": "sue", "pin": "2468"})
    assert_error(right, 429, "locked_out")
    assert SkuMapping.objects.get(barcode=DEO_BARCODE).sku == DEODORANT


def test_badge_guessing_is_throttled_too(floor):
    # Like a badge sign-in (issue 12): failures count per badge and address, so one unknown
    # badge does not lock the real supervisor's badge at this terminal.
    api, packing_list, token, _other = floor
    supervisor_badge("SUP-REAL")
    for _n in range(4):
        assert_error(remap(api, packing_list, token, approval={"badge": "GUESS-1"}), 403,
                     "approval_refused")
    assert_error(remap(api, packing_list, token, approval={"badge": "GUESS-1"}), 429,
                 "locked_out")
    assert remap(api, packing_list, token, approval={"badge": "SUP-REAL"}).status_code == 200


def test_s18_a_new_barcode_is_mapped_by_a_packer_and_counts_everywhere_at_once(floor):
    api, packing_list, token, _other = floor
    answer = action(api, packing_list.pk, token, "map", barcode="4006381333931", sku=SUNSCREEN)
    assert answer.json()["outcome"] == "mapped"
    assert not Approval.objects.exists()
    history = SkuMapping.objects.get(barcode="4006381333931").history.get()
    assert history.worker == packing_list.holder and history.station.name == "PC-1"
    assert history.approved_by is None
    assert scan(api, packing_list.pk, token, "4006381333931").json()["outcome"] == "item_ok"
    # Another station of the same client packs with it on its next scan.
    second = build_list({"X-1": [(SUNSCREEN, 1)]}, session=packing_list.session, name="B")
    build_station("PC-2")
    other_api = role_client("packer")
    other = claim(other_api, second.pk, "PC-2").json()["token"]
    scan(other_api, second.pk, other, "X-1")
    assert scan(other_api, second.pk, other, "4006381333931").json()["outcome"] == \
        "order_complete"


def test_new_barcodes_need_approval_where_the_client_says_so(floor):
    api, packing_list, token, _other = floor
    ClientSettings.objects.update_or_create(client=packing_list.session.client,
                                            defaults={"packers_map_new_barcodes": False})
    body = assert_error(action(api, packing_list.pk, token, "map", barcode="4006381333931",
                               sku=SUNSCREEN), 403, "approval_required")
    assert body["action"] == "map_new" and body["mapping"]["old"] is None
    done = action(api, packing_list.pk, token, "map", barcode="4006381333931", sku=SUNSCREEN,
                  approval=supervisor_badge())
    assert done.json()["outcome"] == "mapped"
    assert Approval.objects.get().action == "map_new"


def test_a_supervisor_signed_in_at_the_station_approves_by_being_signed_in(floor):
    _api, packing_list, token, _other = floor
    supervisor = role_client("supervisor")
    answer = remap(supervisor, packing_list, token)
    assert answer.json()["outcome"] == "remapped"
    approval = Approval.objects.get()
    assert approval.method == "signed_in" and approval.approver.user == supervisor.user


def test_s40_confirm_all_needs_approval_and_a_reason(floor):
    api, packing_list, token, _other = floor
    item = line(packing_list)
    body = assert_error(action(api, packing_list.pk, token, "force_confirm", item=item.pk),
                        400, "reason_required")
    assert [r["code"] for r in body["reasons"]] == ["barcode_missing", "label_damaged", "other"]
    assert all(r["label"] for r in body["reasons"])
    assert_error(action(api, packing_list.pk, token, "force_confirm", item=item.pk,
                        reason="other"), 400, "reason_required")  # "other" needs words
    body = assert_error(action(api, packing_list.pk, token, "force_confirm", item=item.pk,
                               reason="label_damaged", scan_id="fc-1"), 403,
                        "approval_required")
    assert body["action"] == "force_confirm" and body["units"] == 2
    assert line(packing_list).packed == 0
    done = action(api, packing_list.pk, token, "force_confirm", item=item.pk,
                  reason="label_damaged", scan_id="fc-1", approval=supervisor_badge())
    assert done.json()["outcome"] == "force_confirmed"
    event = ScanEvent.objects.get(scan_id="fc-1")
    assert (event.reason, event.manual, event.quantity) == ("label_damaged", True, 2)
    assert event.approval.action == "force_confirm"


def test_confirm_all_without_approval_where_the_client_allows(floor):
    api, packing_list, token, _other = floor
    ClientSettings.objects.update_or_create(client=packing_list.session.client,
                                            defaults={"force_confirm_needs_approval": False})
    done = action(api, packing_list.pk, token, "force_confirm", item=line(packing_list).pk,
                  reason="other", note="scanner broken")
    assert done.json()["outcome"] == "force_confirmed"
    event = ScanEvent.objects.get(action="force_confirm")
    assert (event.reason, event.note) == ("other", "scanner broken")
    assert not Approval.objects.exists()


def test_confirm_one_unit_needs_a_reason_but_no_approval(floor):
    api, packing_list, token, _other = floor
    item = line(packing_list)
    assert_error(action(api, packing_list.pk, token, "confirm", item=item.pk), 400,
                 "reason_required")
    assert_error(action(api, packing_list.pk, token, "confirm", item=item.pk, reason="short"),
                 400, "reason_required")  # a problem is not a reason to fill a line
    done = action(api, packing_list.pk, token, "confirm", item=item.pk, reason="barcode_missing")
    assert done.json()["outcome"] == "confirmed"
    assert ScanEvent.objects.get(action="confirm").reason == "barcode_missing"


def test_the_approval_row_is_refused_without_exactly_one_event(floor):
    from django.db import IntegrityError, transaction

    _api, packing_list, _token, _other = floor
    supervisor_badge()
    sue = Worker.objects.get(badge_code="SUP-BADGE-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Approval.objects.create(packing_list=packing_list, action="remap", method="badge",
                                approver=sue)
    event = ScanEvent.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Approval.objects.create(packing_list=packing_list, action="teleport", method="badge",
                                approver=sue, scan_event=event)


def test_ending_early_needs_approval(floor):
    api, packing_list, token, _other = floor
    path = f"/api/v1/lists/{packing_list.pk}/end/"
    first = assert_error(api.post(path, {}, format="json", HTTP_X_CLAIM_TOKEN=token), 400,
                         "invalid_action")
    assert first["open_orders"] == ["O-SUN", "O-SUN2"] and first["needs_approval"] is True
    body = assert_error(api.post(path, {"force": True}, format="json",
                                 HTTP_X_CLAIM_TOKEN=token), 403, "approval_required")
    assert body["action"] == "end_early" and body["open_orders"] == ["O-SUN", "O-SUN2"]
    packing_list.refresh_from_db()
    assert packing_list.status == "in_progress"
    done = api.post(path, {"force": True, "approval": supervisor_badge()}, format="json",
                    HTTP_X_CLAIM_TOKEN=token)
    assert done.status_code == 200 and done.json()["status"] == "completed"
    approval = Approval.objects.get()
    assert approval.action == "end_early" and approval.claim_event.kind == "end"


def test_a_supervisor_sees_needs_approval_false(floor):
    _api, packing_list, token, _other = floor
    supervisor = role_client("supervisor")
    body = assert_error(supervisor.post(f"/api/v1/lists/{packing_list.pk}/end/", {},
                                        format="json"), 400, "invalid_action")
    assert body["needs_approval"] is False


def test_reopen_stays_supervisor_only_even_with_a_badge(floor):
    api, packing_list, token, _other = floor
    add_order(packing_list, "O-DONE", [("X", 1)])
    scan(api, packing_list.pk, token, "O-SUN")
    order = packing_list.orders.get(number="O-DONE")
    assert_error(action(api, packing_list.pk, token, "reopen", order=order.pk,
                        approval=supervisor_badge()), 403, "forbidden")


def test_the_timeline_shows_reasons_the_mapping_change_and_the_approver(floor, client):
    """Item 1 of the issue: the timeline said only "Barcode mapped"."""
    api, packing_list, token, _other = floor
    remap(api, packing_list, token, approval=supervisor_badge())
    action(api, packing_list.pk, token, "confirm", item=line(packing_list).pk, reason="other",
           note="barcode smudged")
    order = packing_list.orders.get(number="O-SUN")
    client.force_login(api.user)
    page = client.get(f"/sessions/orders/{order.pk}/timeline/").content.decode()
    assert f"{DEO_BARCODE}: {DEODORANT} → {SUNSCREEN} (mapping changed)" in page
    assert "approved by Sue (Badge scanned)" in page
    assert "Barcode mapping changed" in page
    assert "Other: barcode smudged" in page
    timeline = api.get(f"/api/v1/orders/{order.pk}/").json()["timeline"]
    assert {"reason": "other", "note": "barcode smudged"}.items() <= \
        next(e for e in timeline if e["action"] == "confirm").items()


def test_an_admin_sets_the_station_rules_of_a_client(client):
    from django.urls import reverse

    from profiles.models import Client

    acme = Client.objects.create(code="ACME", name="Acme")
    client.force_login(assign_role(User.objects.create_user("ada"), "admin"))
    page = client.get(reverse("admin:profiles_client_change", args=[acme.pk])).content.decode()
    assert "packers_map_new_barcodes" in page and "force_confirm_needs_approval" in page
    assert acme.settings_or_default().packers_map_new_barcodes is True
    assert acme.settings_or_default().force_confirm_needs_approval is True
