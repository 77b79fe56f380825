"""Live updates: after a change commits, send the list's new row to the screens that follow it.

The row is built once, here, inside the change's transaction (so it shows exactly what commits)
and encoded to JSON once; every socket forwards that text as it is (sessions.live.consumers),
with no database read per socket or per message. Groups: `floor` (supervisors' floor screens)
and `list-<id>` (the station's and the details page's socket of that list); nothing is sent to a
group no consumer joins. A heartbeat sends only what it changes: the claim's heartbeat time,
age and staleness.

The floor view also gets, per change, the rows of the stations it touched ("floor.update",
sessions.reads.floor_view) and, when an order's status, a claim or an alert changed, the floor's
summary (waiting lists, the day's figures, courier cut-off pace, alerts). Those figures count
orders and scans across lists (the pace of the last 15 minutes, the runs of wrong scans), so
they are read after the change commits, outside the scan's transaction and its row lock, and
only when a channel layer exists; every floor socket forwards the same text. A server process
reads them at most once per PACKER_FLOOR_UPDATE_MS (1 s), for every change of that window
together, in a timer thread: their cost is per second, not per scan (issue 9), and a station
card is at most that much behind its list's row, which goes out at once.

Sent only on commit (a rolled-back scan must never show on a screen) and never allowed to fail
the write that caused it: a lost message is repaired when a socket reconnects and gets a fresh
snapshot from the database.
"""

import json
import logging
import threading

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from sessions.outcomes import Outcome
from sessions.reads.floor_rows import last_scans, row, scan_summary
from sessions.reads.floor_view import floor_summary, stations_with_alerts
from sessions.reads.payloads import claim_state, iso

logger = logging.getLogger(__name__)
_pending = threading.local()  # the floor update the current transaction asks for

FLOOR_GROUP = "floor"
HEARTBEAT_KEYS = ("heartbeat_at", "heartbeat_age_seconds", "stale", "active")
# Scan answers that change an order's status: the floor's summary is sent again.
SUMMARY_OUTCOMES = frozenset({
    Outcome.ORDER_COMPLETE, Outcome.COMPLETE_WITH_EXTRAS, Outcome.SKIPPED, Outcome.REOPENED,
    Outcome.ORDER_FLAGGED, Outcome.REVIEW_REOPENED, Outcome.REVIEW_COMPLETED,
    Outcome.FORCE_CONFIRMED,
})


def list_group(list_id):
    return f"list-{list_id}"


def publish_list_event(packing_list, *, scan=None, payload=None, now=None, groups=None,
                       stations=()):
    """Queue the list's floor row ("list.update") for the floor and the list's sockets.

    `scan` is the event this change logged (it becomes the row's last scan); `payload` the list
    payload the caller already built (a scan answer's). A claim change has no scan: its last
    scan is read here, once (claims are rare; scans never take this path). `groups` narrows
    the audience (a new list has no socket of its own yet). `stations`: other stations the
    change touched (the one a release, take-over or reassign left). The floor then gets the
    rows of the touched stations and, for a claim change or an order's new status, its
    summary (publish_floor).
    """
    now = now or timezone.now()
    if scan is not None:
        last = scan_summary(scan)
    elif packing_list.claim_token is not None:
        last = last_scans([packing_list.pk]).get(packing_list.pk)
    else:
        last = None  # a released row carries no figures
    body = {"type": "update", "row": row(packing_list, last, now, payload=payload)}
    _queue(packing_list.pk, "list.update", body,
           groups or (FLOOR_GROUP, list_group(packing_list.pk)))
    touched = {packing_list.station_id, *stations} - {None}
    summary = scan is None or scan.outcome in SUMMARY_OUTCOMES
    if touched or summary:
        publish_floor(touched, summary=summary)


def publish_floor(station_ids=None, *, summary=True):
    """After commit, send the floor the rows of these stations (None: every station) and,
    with `summary`, the floor's summary; built once, whatever the number of floor screens.

    Calls within one transaction are merged (an import of fifty lists sends one summary): the
    first callback to run after the commit sends what all of them asked for.
    """
    pending = getattr(_pending, "floor", None)
    if pending is None:
        pending = _pending.floor = {"stations": set(), "all": False, "summary": False}
    if station_ids is None:
        pending["all"] = True
    else:
        pending["stations"].update(station_ids)
    pending["summary"] = pending["summary"] or summary
    transaction.on_commit(_flush_floor)


def _flush_floor():
    """The first after-commit callback sends the merged request (or adds it to this process's
    next timed update); the others find nothing. (A rolled-back transaction's request is sent
    with the next one: a few rows too many.)"""
    pending = getattr(_pending, "floor", None)
    _pending.floor = None
    if pending is None:
        return
    delay = settings.PACKER_FLOOR_UPDATE_MS / 1000
    if delay <= 0:
        send_floor(None if pending["all"] else pending["stations"], pending["summary"])
    else:
        _add_to_window(pending, delay)


_window_lock = threading.Lock()
_window = {}  # "next": the request this process sends when its timer fires


def _add_to_window(pending, delay):
    """Merge into this process's next floor update; the first request of a window starts the
    timer that sends it."""
    with _window_lock:
        waiting = _window.get("next")
        if waiting is not None:
            waiting["all"] = waiting["all"] or pending["all"]
            waiting["stations"].update(pending["stations"])
            waiting["summary"] = waiting["summary"] or pending["summary"]
            return
        _window["next"] = pending
    timer = threading.Timer(delay, _send_window)
    timer.daemon = True
    timer.start()


def _send_window():
    with _window_lock:
        pending = _window.pop("next", None)
    try:
        if pending is not None:
            send_floor(None if pending["all"] else pending["stations"], pending["summary"])
    finally:
        connection.close()  # the timer's thread keeps no connection


def send_floor(station_ids, summary):
    """Build and send a "floor.update"; failures are logged, never raised into the request."""
    if get_channel_layer() is None:
        return
    try:
        message = floor_message(station_ids, summary)
    except Exception:
        logger.exception("could not build the floor's update")
        return
    _send_floor(message)


def floor_message(station_ids, summary):
    now = timezone.now()
    body = {"type": "floor", "server_now": iso(now),
            "stations": stations_with_alerts(now, station_ids)
            if station_ids is None or station_ids else []}
    if summary:
        body["summary"] = floor_summary(now)
    return {"type": "floor.update", "text": json.dumps(body)}


def _send_floor(message):
    send_to_groups((FLOOR_GROUP,), message)


def publish_heartbeat(packing_list, now):
    """Queue only what a heartbeat changes: the claim's heartbeat time, age and staleness."""
    claim = claim_state(packing_list, now)
    body = {"type": "heartbeat", "list_id": packing_list.pk,
            "claim": {key: claim[key] for key in HEARTBEAT_KEYS}, "server_now": iso(now)}
    _queue(packing_list.pk, "list.heartbeat", body,
           (FLOOR_GROUP, list_group(packing_list.pk)))


def _queue(list_id, kind, body, groups):
    message = {"type": kind, "list_id": list_id, "text": json.dumps(body)}
    transaction.on_commit(lambda: send_to_groups(groups, message))


def send_to_groups(groups, message):
    """group_send to each group; failures are logged, never raised into the request."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(_send_all)(layer, groups, message)
    except Exception:
        logger.exception("could not publish list update for list %s", message.get("list_id"))


async def _send_all(layer, groups, message):
    for group in groups:
        await layer.group_send(group, message)
