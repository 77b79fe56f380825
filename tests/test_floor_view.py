"""The floor view's reads and services (issue 14): stations not claims, the waiting section, the
day's figures, the couriers' cut-off pace, alerts with acknowledgements and mutes, and a
supervisor's reassign logged like a take-over."""

from datetime import datetime, timedelta
from datetime import time as clock_time

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from profiles.models import CourierDeadline
from sessions import alerts
from sessions.claims import claim_list, force_release, reassign, release
from sessions.errors import Forbidden, InvalidRequest, StationBusy
from sessions.metrics import metrics
from sessions.models import AlertAcknowledgement, AlertMute, ClaimEvent, Order, PackingList
from sessions.reads.claim_history import claim_ended
from sessions.reads.cutoff import courier_pace
from sessions.reads.floor_alerts import alert_kinds
from sessions.reads.floor_stations import station_rows
from sessions.reads.floor_view import floor_state, floor_summary, stations_with_alerts
from sessions.reads.floor_waiting import day_figures, waiting_lists
from sessions.scanning.codes import perform_action, scan
from tests.builders import build_list, build_station, build_user, build_worker, claimed

pytestmark = pytest.mark.django_db


def rows_by_name(**kwargs):
    return {row["name"]: row for row in station_rows(**kwargs)}


def test_every_station_has_a_row_busy_idle_stale_or_offline(settings):
    busy = claimed(build_list({"B-1": [("SKU-A", 2)]}), station=build_station("BUSY"))
    scan(busy.list_id, token=busy.token, code="B-1")
    claimed(build_list({"H-1": [("SKU-A", 1)]}), station=build_station("HOLDS"))
    stale = claimed(build_list({"S-1": [("SKU-A", 1)]}), station=build_station("STALE"))
    PackingList.objects.filter(pk=stale.list_id).update(
        heartbeat_at=timezone.now() - timedelta(seconds=settings.PACKER_STALE_AFTER_SECONDS + 5))
    worked = claimed(build_list({"W-1": [("SKU-A", 1)]}), station=build_station("WORKED"))
    scan(worked.list_id, token=worked.token, code="W-1")
    release(worked.list_id, token=worked.token)
    build_station("NEVER")

    rows = rows_by_name()
    assert {name: row["state"] for name, row in rows.items()} == {
        "BUSY": "packing", "HOLDS": "idle", "STALE": "stale", "WORKED": "idle",
        "NEVER": "offline"}
    assert rows["BUSY"]["open_order"]["number"] == "B-1"
    assert rows["BUSY"]["list"]["id"] == busy.list_id
    assert rows["STALE"]["live_state"] == "idle"  # what it shows once a heartbeat comes
    assert rows["WORKED"]["list"] is None
    assert rows["WORKED"]["worker"] == worked.worker.display_name
    assert rows["WORKED"]["last_activity"] is not None
    # Silent for longer than PACKER_STATION_OFFLINE_MINUTES: offline.
    later = timezone.now() + timedelta(minutes=settings.PACKER_STATION_OFFLINE_MINUTES + 1)
    assert rows_by_name(now=later)["WORKED"]["state"] == "offline"


def test_pace_wrong_rate_and_runs_of_wrong_scans_per_station():
    claim = claimed(build_list({"P-1": [("SKU-A", 1)], "P-2": [("SKU-B", 1)]}),
                    station=build_station("PC"))
    for code in ("P-1", "SKU-A", "P-2", "NOPE", "NOPE"):
        scan(claim.list_id, token=claim.token, code=code)
    [row] = station_rows()
    assert row["pace"] == 4.0  # one order in the last 15 minutes
    assert (row["scans_window"], row["wrong_window"], row["wrong_rate"]) == (5, 2, 40)
    assert row["wrong_streak"] == 2

    scan(claim.list_id, token=claim.token, code="NOPE")
    [row] = stations_with_alerts()
    assert row["wrong_streak"] == 3
    [alert] = row["alerts"]
    assert alert["kind"] == "wrong_scans" and alert["params"]["n"] == 3
    key = alert["key"]
    scan(claim.list_id, token=claim.token, code="NOPE")
    assert stations_with_alerts()[0]["alerts"][0]["key"] == key  # the same run goes on
    scan(claim.list_id, token=claim.token, code="SKU-B")  # a good scan ends the run
    assert stations_with_alerts()[0]["alerts"] == []


def test_station_rows_cost_a_fixed_number_of_queries(django_assert_max_num_queries):
    for n in range(6):
        claim = claimed(build_list({f"Q{n}": [("SKU-A", 2)]}))
        scan(claim.list_id, token=claim.token, code=f"Q{n}")
        scan(claim.list_id, token=claim.token, code="NOPE")
    with django_assert_max_num_queries(7):
        rows = stations_with_alerts()
    assert len(rows) == 6


def test_a_force_released_half_packed_list_waits_with_who_and_why():
    supervisor = build_worker("Sam", role="supervisor")
    claim = claimed(build_list({"F-1": [("SKU-A", 1)], "F-2": [("SKU-B", 2)]}))
    for code in ("F-1", "SKU-A", "F-2", "SKU-B"):
        scan(claim.list_id, token=claim.token, code=code)
    force_release(claim.list_id, by_user=supervisor.user, reason="shift over")
    untouched = build_list({"N-1": [("SKU-A", 1)]})
    held = claimed(build_list({"H-1": [("SKU-A", 1)]}))

    waiting = {row["id"]: row for row in waiting_lists()}
    assert set(waiting) == {claim.list_id, untouched.pk}
    row = waiting[claim.list_id]
    assert (row["completed_orders"], row["packed_units"], row["open_order"]) == (1, 2, "F-2")
    assert row["let_go"]["kind"] == "force_release"
    assert row["let_go"]["by"] == "Sam" and row["let_go"]["reason"] == "shift over"
    assert waiting[untouched.pk]["let_go"] is None
    assert list(waiting)[0] == claim.list_id  # half-packed first
    assert held.list_id not in waiting


def test_the_day_counts_every_order_packed_today_whoever_holds_its_list_now():
    first = claimed(build_list({"D-1": [("SKU-A", 2)], "D-2": [("SKU-B", 1)]}))
    for code in ("D-1", "SKU-A", "NOPE", "SKU-A", "D-2", "SKU-B"):
        scan(first.list_id, token=first.token, code=code)
    release(first.list_id, token=first.token)
    second = claimed(build_list({"E-1": [("SKU-A", 3)]}))
    for code in ("E-1", "SKU-A", "SKU-A", "SKU-A"):
        scan(second.list_id, token=second.token, code=code)
    yesterday = claimed(build_list({"Y-1": [("SKU-A", 1)]}))
    scan(yesterday.list_id, token=yesterday.token, code="Y-1")
    scan(yesterday.list_id, token=yesterday.token, code="SKU-A")
    Order.objects.filter(number="Y-1").update(completed_at=timezone.now() - timedelta(days=1))

    figures = day_figures()
    assert (figures["orders_packed"], figures["units_packed"], figures["wrong_scans"]) == (3, 6, 1)
    today = timezone.localdate()
    same = metrics(date_from=today, date_to=today)  # one set of definitions
    assert (same["orders_packed"], same["items_packed"]) == (3, 6)


def test_the_day_starts_at_local_midnight_in_sofia():
    claim = claimed(build_list({"M-1": [("SKU-A", 1)]}))
    scan(claim.list_id, token=claim.token, code="M-1")
    scan(claim.list_id, token=claim.token, code="SKU-A")
    local = timezone.localtime()
    just_after_midnight = local.replace(hour=0, minute=5, second=0, microsecond=0)
    Order.objects.filter(number="M-1").update(completed_at=just_after_midnight)
    assert day_figures(now=local)["orders_packed"] == 1
    # 23:55 the day before, local time (21:55 or 22:55 UTC: the same UTC date).
    Order.objects.filter(number="M-1").update(
        completed_at=just_after_midnight - timedelta(minutes=10))
    assert day_figures(now=local)["orders_packed"] == 0


def at(hour, minute=0):
    local = timezone.localtime()
    return datetime.combine(local.date(), clock_time(hour, minute), tzinfo=local.tzinfo)


def test_courier_cutoff_pace_on_track_at_risk_late_done(settings):
    settings.PACKER_CUTOFF_AT_RISK_MINUTES = 15
    packing_list = build_list({f"C-{n}": [("SKU-A", 2)] for n in range(4)})
    client = packing_list.session.client
    Order.objects.filter(number="C-3").update(courier="UPS")
    for courier, hour in (("DHL", 16), ("dpd", 12), ("UPS", 15)):
        CourierDeadline.objects.create(client=client, courier=courier,
                                       deadline=clock_time(hour, 0))
    CourierDeadline.objects.filter(courier="dpd").update(courier="DPD")
    # Two orders completed in the last 15 minutes: the floor packs 8 orders an hour.
    done = build_list({"X-1": [("SKU-A", 1)], "X-2": [("SKU-A", 1)]})
    now = at(14, 0)
    Order.objects.filter(packing_list=done).update(status="completed", completed_at=now
                                                   - timedelta(minutes=5))

    def couriers(when):
        [entry] = [c for c in courier_pace(when) if c["client"] == client.code]
        return {row["courier"]: row for row in entry["couriers"]}

    rows = couriers(now)
    dhl = rows["DHL"]  # 3 orders / 8 per hour = 22.5 min: 14:22 against 16:00
    assert (dhl["orders_left"], dhl["units_left"], dhl["pace"]) == (3, 6, 8.0)
    assert dhl["projected_label"] == "14:22" and dhl["status"] == "on_track"
    assert rows["DPD"]["status"] == "done" and rows["DPD"]["orders_left"] == 0
    assert rows["UPS"]["orders_left"] == 1 and rows["UPS"]["status"] == "on_track"
    # 15:30 + 22.5 min = 15:52: before 16:00 but inside the 15 minutes' margin.
    Order.objects.filter(packing_list=done).update(completed_at=at(15, 25))
    assert couriers(at(15, 30))["DHL"]["status"] == "at_risk"
    Order.objects.filter(packing_list=done).update(completed_at=at(15, 35))
    assert couriers(at(15, 40))["DHL"]["status"] == "late"  # 16:02 after 16:00
    assert couriers(at(16, 30))["UPS"]["status"] == "late"  # pick-up passed, one left
    # An ended list is not waited for.
    PackingList.objects.filter(pk=packing_list.pk).update(status="completed")
    assert couriers(now)["DHL"]["status"] == "done"


def test_no_pace_to_project_is_at_risk():
    packing_list = build_list({"A-1": [("SKU-A", 1)]})
    CourierDeadline.objects.create(client=packing_list.session.client, courier="DHL",
                                   deadline=clock_time(23, 59))
    [entry] = courier_pace(at(8, 0))
    [row] = entry["couriers"]
    assert (row["pace"], row["projected"], row["status"]) == (0.0, None, "at_risk")


def test_acknowledged_alerts_leave_the_floor_and_are_kept_once():
    supervisor = build_user(role="supervisor")
    failure = alerts.raise_printer_failure(error="connection refused", printer="10.0.0.5:9100")
    [alert] = floor_summary()["alerts"]
    assert alert["kind"] == "printer_failure" and alert["key"] == str(failure.pk)
    assert alert["params"] == {"printer": "10.0.0.5:9100", "error": "connection refused"}
    alerts.acknowledge("printer_failure", alert["key"], by_user=supervisor)
    alerts.acknowledge("printer_failure", alert["key"], by_user=supervisor)  # twice: fine
    assert floor_summary()["alerts"] == []
    assert AlertAcknowledgement.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        AlertAcknowledgement.objects.create(kind="printer_failure", key=alert["key"])
    with pytest.raises(IntegrityError), transaction.atomic():
        AlertAcknowledgement.objects.create(kind="coffee", key="1")
    with pytest.raises(Forbidden):
        alerts.acknowledge("printer_failure", "1", by_user=build_user(role="packer"))


def test_mutes_are_each_supervisors_own():
    sam, sue = build_user(role="supervisor"), build_user(role="supervisor")
    alerts.set_muted(sam, "wrong_scans", True)
    alerts.set_muted(sam, "wrong_scans", True)
    assert {k["kind"]: k["muted"] for k in alert_kinds(sam)}["wrong_scans"] is True
    assert {k["kind"]: k["muted"] for k in alert_kinds(sue)}["wrong_scans"] is False
    alerts.set_muted(sam, "wrong_scans", False)
    assert not AlertMute.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        AlertMute.objects.create(user=sam, kind="coffee")


def test_stale_claims_orders_open_too_long_and_flags_alert(settings):
    claim = claimed(build_list({"O-1": [("SKU-A", 2)]}), station=build_station("PC-O"))
    scan(claim.list_id, token=claim.token, code="O-1")
    Order.objects.filter(number="O-1").update(started_at=timezone.now() - timedelta(
        minutes=settings.PACKER_ORDER_OPEN_ALERT_MINUTES + 1))
    PackingList.objects.filter(pk=claim.list_id).update(
        heartbeat_at=timezone.now() - timedelta(seconds=settings.PACKER_STALE_AFTER_SECONDS + 1))
    other = claimed(build_list({"G-1": [("SKU-A", 1)]}))
    scan(other.list_id, token=other.token, code="G-1")
    perform_action(other.list_id, token=other.token, action="flag", reason="damaged")

    state = floor_state()
    kinds = {a["kind"] for row in state["stations"] for a in row["alerts"]}
    assert kinds == {"stale_claim", "order_open_long"}
    [flag] = state["summary"]["alerts"]
    assert flag["kind"] == "flagged_order" and flag["params"]["problem"] == "damaged"


def test_reassign_moves_a_list_and_is_logged_like_a_take_over():
    supervisor = build_worker("Sam", role="supervisor")
    claim = claimed(build_list({"R-1": [("SKU-A", 2)]}))
    scan(claim.list_id, token=claim.token, code="R-1")
    target, colleague = build_station("PC-NEW"), build_worker("Cora", role="packer")
    with pytest.raises(Forbidden):
        reassign(claim.list_id, by_user=claim.worker.user, worker=colleague, station=target)
    with pytest.raises(InvalidRequest):  # an account without a floor role packs nothing
        reassign(claim.list_id, by_user=supervisor.user, worker=build_worker(), station=target)

    moved = reassign(claim.list_id, by_user=supervisor.user, worker=colleague, station=target,
                     reason="scanner broken")
    assert (moved.holder, moved.station) == (colleague, target)
    assert moved.open_order.number == "R-1"  # counts and the open order stay
    event = ClaimEvent.objects.get(kind="reassign")
    assert (event.previous_holder, event.previous_station, event.by_user, event.reason) == (
        claim.worker, claim.station, supervisor.user, "scanner broken")
    ended = claim_ended(claim.list_id, claim.token)  # what the old station is told
    assert (ended["kind"], ended["by"], ended["reason"]) == ("reassign", "Sam", "scanner broken")
    # The colleague opening the list at PC-NEW gets that claim (no new claim needed).
    again = claim_list(claim.list_id, worker=colleague, station=target)
    assert again.claim_token == moved.claim_token

    # A station holding another packer's list is busy; a waiting list can be assigned.
    busy = claimed(build_list({"Z-1": [("SKU-A", 1)]}))
    waiting = build_list({"W-1": [("SKU-A", 1)]})
    with pytest.raises(StationBusy):
        reassign(waiting.pk, by_user=supervisor.user, worker=colleague, station=busy.station)
    ann = build_worker("Ann", role="packer")
    assigned = reassign(waiting.pk, by_user=supervisor.user, worker=ann,
                        station=build_station("PC-FREE"))
    assert assigned.holder == ann
