"""The floor view's stations: one row per station, busy or idle, as a supervisor reads it.

A row says who is at the station, which list it holds, the open order and since when, the pace
(orders completed there per hour over the last 15 minutes), the wrong-scan rate over the same
window, the run of wrong scans in a row, the flagged orders of its list and its state:

- `packing`: it holds a list, its heartbeat is fresh and an order is open;
- `idle`: it holds a list with no order open, or holds none but was active lately;
- `stale`: it holds a list without a heartbeat for PACKER_STALE_AFTER_SECONDS;
- `offline`: it holds no list and did nothing for PACKER_STATION_OFFLINE_MINUTES.

The server decides the state; a row also carries `stale_at` (when a fresh claim turns stale if no
heartbeat comes) and `live_state` (its state while the heartbeat is fresh), so a connected page
applies a heartbeat or the passing of `stale_at` without deciding anything itself. A page that
lost its connection applies nothing (static/js/floor.js).

A fixed number of queries for any number of stations (stations, their lists, the window's
counts, the day's last scans, the runs of wrong scans); sessions.live.publish builds the rows of
the stations a change touched once, after it commits, and every floor socket forwards them.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, F, Max, Q
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from profiles.models import Station
from sessions.models import Order, PackingList, ScanEvent
from sessions.outcomes import WRONG
from sessions.reads.payloads import iso, stale_after

PACE_WINDOW = timedelta(minutes=15)
WRONG_IN_A_ROW = 3
STREAK_DEPTH = 20  # scans looked at per station for a run of wrong ones

PACKING, IDLE, STALE, OFFLINE = "packing", "idle", "stale", "offline"


def state_labels():
    """The words and tones of the states, for the page config."""
    return {
        PACKING: {"label": _("packing"), "tone": "ok"},
        IDLE: {"label": _("idle"), "tone": "info"},
        STALE: {"label": _("stale"), "tone": "warn"},
        OFFLINE: {"label": _("offline"), "tone": "muted"},
    }


def local_day_start(now):
    """Midnight of the warehouse's local day (settings.TIME_ZONE) that `now` falls in."""
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def per_hour(count, window=PACE_WINDOW):
    return round(count * 3600 / window.total_seconds(), 1)


def station_rows(now=None, station_ids=None):
    """Rows of every active station and every station holding a list (or of `station_ids`)."""
    now = now or timezone.now()
    stations = _stations(station_ids)
    ids = [s.pk for s in stations]
    if not ids:
        return []
    claims = _claims(ids)
    since = now - PACE_WINDOW
    done, scans = _window_counts(ids, since)
    day = local_day_start(now)
    last = _last_scans(ids, day)
    streaks = _wrong_streaks(ids, day)
    return [
        station_row(s, claims.get(s.pk), now, done=done.get(s.pk, 0),
                    scans=scans.get(s.pk, (0, 0)), last=last.get(s.pk),
                    streak=streaks.get(s.pk, (0, None)))
        for s in stations
    ]


def _stations(station_ids):
    stations = Station.objects.all()
    if station_ids is None:
        stations = stations.filter(Q(active=True) | Q(claimed_lists__isnull=False)).distinct()
    else:
        stations = stations.filter(pk__in=[i for i in station_ids if i])
    return list(stations.order_by("name", "id"))


def _claims(ids):
    lists = PackingList.objects.filter(station_id__in=ids, claim_token__isnull=False) \
        .select_related("session__client", "holder", "open_order")
    return {pl.station_id: pl for pl in lists}


def _window_counts(ids, since):
    """({station: orders completed}, {station: (scans, wrong scans)}) since `since`."""
    done = dict(
        Order.objects.filter(completed_station_id__in=ids, status=Order.Status.COMPLETED,
                             completed_at__gte=since)
        .order_by().values_list("completed_station_id").annotate(n=Count("id")))
    scans = {
        row["station_id"]: (row["n"], row["wrong"])
        for row in ScanEvent.objects.filter(station_id__in=ids, action=ScanEvent.Action.SCAN,
                                            created_at__gte=since)
        .order_by().values("station_id")
        .annotate(n=Count("id"), wrong=Count("id", filter=Q(outcome__in=WRONG)))
    }
    return done, scans


def _last_scans(ids, day):
    """{station: its latest scan event today (with its worker)}."""
    latest = (ScanEvent.objects.filter(station_id__in=ids, created_at__gte=day).order_by()
              .values("station_id").annotate(last=Max("id")).values_list("last", flat=True))
    events = ScanEvent.objects.filter(pk__in=list(latest)).select_related("worker")
    return {e.station_id: e for e in events}


def _wrong_streaks(ids, day):
    """{station: (wrong scans in a row up to its latest scan today, id of the run's first)}."""
    ranked = (ScanEvent.objects.filter(station_id__in=ids, action=ScanEvent.Action.SCAN,
                                       created_at__gte=day)
              .annotate(rank=Window(RowNumber(), partition_by=[F("station_id")],
                                    order_by=F("id").desc()))
              .filter(rank__lte=STREAK_DEPTH).order_by("station_id", "-id")
              .values_list("station_id", "id", "outcome"))
    streaks, broken = {}, set()
    for station_id, event_id, outcome in ranked:
        if station_id in broken:
            continue
        if outcome in WRONG:
            count, _first = streaks.get(station_id, (0, None))
            streaks[station_id] = (count + 1, event_id)
        else:
            broken.add(station_id)
    return streaks


def station_state(claim, now, last_activity):
    """The state of a station (see the module's docstring) and its state while live."""
    if claim is not None:
        live = PACKING if claim.open_order_id else IDLE
        stale = (now - claim.heartbeat_at).total_seconds() > stale_after()
        return (STALE if stale else live), live
    offline_after = timedelta(minutes=settings.PACKER_STATION_OFFLINE_MINUTES)
    if last_activity is not None and now - last_activity <= offline_after:
        return IDLE, IDLE
    return OFFLINE, OFFLINE


def station_row(station, claim, now, *, done=0, scans=(0, 0), last=None, streak=(0, None)):
    """One station's row (see station_rows for what the figures mean)."""
    activity = _last_activity(claim, last)
    state, live = station_state(claim, now, activity)
    total, wrong = scans
    worker = claim.holder.display_name if claim is not None else (
        last.worker.display_name if last is not None and last.worker_id else None)
    return {
        "id": station.pk, "name": station.name, "state": state, "live_state": live,
        "worker": worker, "list": _list_part(claim), "open_order": _open_order(claim, now),
        "pace": per_hour(done), "orders_window": done, "scans_window": total,
        "wrong_window": wrong, "wrong_rate": round(100 * wrong / total) if total else None,
        "wrong_streak": streak[0], "streak_from": streak[1],
        "flagged": claim.needs_review_orders if claim is not None else 0,
        "last_activity": iso(activity),
        "heartbeat_at": iso(claim.heartbeat_at) if claim is not None else None,
        "stale_at": iso(claim.heartbeat_at + timedelta(seconds=stale_after()))
        if claim is not None else None,
        "server_now": iso(now),
    }


def _last_activity(claim, last):
    times = [t for t in (last.created_at if last is not None else None,
                         claim.heartbeat_at if claim is not None else None) if t]
    return max(times) if times else None


def _list_part(claim):
    if claim is None:
        return None
    return {
        "id": claim.pk, "name": claim.name, "client": claim.session.client.code,
        "session_external_id": claim.session.external_id, "orders": claim.order_count,
        "completed_orders": claim.completed_orders, "skipped_orders": claim.skipped_orders,
        "packed_units": claim.packed_units, "required_units": claim.required_units,
        "claimed_at": iso(claim.claimed_at),
    }


def _open_order(claim, now):
    order = claim.open_order if claim is not None and claim.open_order_id else None
    if order is None:
        return None
    started = order.started_at
    alert_after = timedelta(minutes=settings.PACKER_ORDER_OPEN_ALERT_MINUTES)
    return {
        "id": order.pk, "number": order.number, "started_at": iso(started),
        "open_seconds": max(0, int((now - started).total_seconds())) if started else None,
        "alert_at": iso(started + alert_after) if started else None,
        "too_long": bool(started) and now - started >= alert_after,
    }
