"""Everything the supervisor's floor view shows, in the shapes its page and socket send.

`floor_state` is the snapshot (the page's first render, a socket's (re)connect or refresh):
the station rows with their alerts, the claimed lists' rows (sessions.reads.floor_rows), and
the summary. `station_update` and `floor_summary` are the two parts a change sends
(sessions.live.publish builds them once per change, after it commits): the rows of the stations
it touched, and — when an order's status, a claim or an alert changed — the summary: waiting
lists, the day's figures, the couriers' cut-off pace and the alerts that are not a station's.
"""

from datetime import datetime

from django.utils import timezone

from sessions.reads.cutoff import courier_pace, floor_pace
from sessions.reads.floor_alerts import floor_alerts, station_alerts, without_acknowledged
from sessions.reads.floor_rows import floor_rows
from sessions.reads.floor_stations import station_rows
from sessions.reads.floor_waiting import day_figures, waiting_lists
from sessions.reads.payloads import iso


def _parse(value):
    return datetime.fromisoformat(value) if value else None


def stations_with_alerts(now=None, station_ids=None):
    """Station rows, each with its unacknowledged alerts (`alerts`)."""
    now = now or timezone.now()
    rows = station_rows(now, station_ids)
    found = []
    for row in rows:
        listed, order = row["list"], row["open_order"]
        row["alerts"] = station_alerts(
            row, _parse(listed and listed["claimed_at"]), _parse(row["heartbeat_at"]),
            _parse(order and order["started_at"]))
        found.extend(row["alerts"])
    open_keys = {(a["kind"], a["key"]) for a in without_acknowledged(found)}
    for row in rows:
        row["alerts"] = [a for a in row["alerts"] if (a["kind"], a["key"]) in open_keys]
    return rows


def floor_summary(now=None):
    now = now or timezone.now()
    figures = day_figures(now)
    figures["pace"] = floor_pace(now)
    return {
        "waiting": waiting_lists(), "kpis": figures, "couriers": courier_pace(now),
        "alerts": without_acknowledged(floor_alerts(now)), "server_now": iso(now),
    }


def floor_state(now=None):
    now = now or timezone.now()
    return {"rows": floor_rows(now), "stations": stations_with_alerts(now),
            "summary": floor_summary(now), "server_now": iso(now)}
