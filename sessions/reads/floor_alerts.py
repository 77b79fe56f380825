"""Alerts of the floor view: what needs a supervisor now, until one acknowledges it.

Five kinds (sessions.models.AlertKind): a stale claim, an order open longer than
PACKER_ORDER_OPEN_ALERT_MINUTES, WRONG_IN_A_ROW wrong scans in a row at one station, a flagged
order, a printer failure. Each occurrence has a `key` (the claim, the opening of the order, the
first scan of the run, the flag, the failure), so an acknowledged alert stays gone while a new
occurrence of the same condition alerts again. Acknowledgements are the floor's (one supervisor
deals with it for everyone); which kinds make a sound is each supervisor's choice (AlertMute),
sent with the page config.

An alert carries no words, only its kind and the values of its sentence (`params`): it is built
once for every floor screen, and each screen has its own language. The sentences are in the
page config (`alert_texts`), translated for the supervisor who opened it.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from sessions.models import AlertAcknowledgement, AlertKind, AlertMute, PrinterFailure
from sessions.reads.floor_stations import STALE, WRONG_IN_A_ROW, local_day_start
from sessions.reads.payloads import iso
from sessions.reads.reviews import orders_to_review

TONES = {
    AlertKind.STALE_CLAIM: "warn", AlertKind.ORDER_OPEN_LONG: "warn",
    AlertKind.WRONG_SCANS: "bad", AlertKind.FLAGGED_ORDER: "warn",
    AlertKind.PRINTER_FAILURE: "bad",
}
PRINTER_FAILURES_SHOWN = timedelta(hours=12)


def alert(kind, key, params, at, station=None, list_id=None):
    return {"kind": kind.value, "key": str(key), "params": params, "at": iso(at),
            "station": station, "list_id": list_id, "tone": TONES[kind]}


def alert_texts():
    """The sentence of each kind, in the active language (placeholders filled from params)."""
    return {
        AlertKind.STALE_CLAIM: _("%(station)s: no heartbeat from %(worker)s since %(time)s"),
        AlertKind.ORDER_OPEN_LONG: _("%(station)s: order %(order)s open for %(minutes)s min"),
        AlertKind.WRONG_SCANS: _("%(station)s: %(n)s wrong scans in a row"),
        AlertKind.FLAGGED_ORDER: _("Order %(order)s (%(list)s) flagged: %(problem)s"),
        AlertKind.PRINTER_FAILURE: _("Printer %(printer)s failed: %(error)s"),
    }


def _hhmm(value):
    return timezone.localtime(value).strftime("%H:%M")


def station_alerts(row, claim_started, heartbeat_at, order_started):
    """The alerts of one station row (its claim's and open order's times given as datetimes)."""
    found = []
    name, listed = row["name"], row["list"]
    if row["state"] == STALE and listed:
        found.append(alert(
            AlertKind.STALE_CLAIM, f"{listed['id']}:{listed['claimed_at']}",
            {"station": name, "worker": row["worker"], "time": _hhmm(heartbeat_at)},
            heartbeat_at, name, listed["id"]))
    order = row["open_order"]
    if order and order["too_long"]:
        found.append(alert(
            AlertKind.ORDER_OPEN_LONG, f"{order['id']}:{order['started_at']}",
            {"station": name, "order": order["number"],
             "minutes": order["open_seconds"] // 60},
            order_started, name, listed["id"] if listed else None))
    if row["wrong_streak"] >= WRONG_IN_A_ROW:
        found.append(alert(
            AlertKind.WRONG_SCANS, f"{row['id']}:{row['streak_from']}",
            {"station": name, "n": row["wrong_streak"]},
            None, name, listed["id"] if listed else None))
    return found


def floor_alerts(now=None):
    """Alerts not tied to a station's row: flagged orders and today's printer failures."""
    now = now or timezone.now()
    found = []
    for review in orders_to_review():
        order, flagged_at = review["order"], review["flagged_at"]
        found.append(alert(
            AlertKind.FLAGGED_ORDER, f"{order.pk}:{iso(flagged_at)}",
            {"order": order.number, "list": review["list"].name, "problem": order.problem},
            flagged_at, review["station"], review["list"].pk))
    since = max(local_day_start(now), now - PRINTER_FAILURES_SHOWN)
    for failure in PrinterFailure.objects.filter(created_at__gte=since) \
            .select_related("station")[:50]:
        found.append(alert(
            AlertKind.PRINTER_FAILURE, failure.pk,
            {"printer": failure.printer or "—", "error": failure.error},
            failure.created_at, failure.station.name if failure.station_id else None,
            failure.packing_list_id))
    return found


def without_acknowledged(alerts):
    """The alerts nobody acknowledged yet (one query, none when there is no alert)."""
    if not alerts:
        return alerts
    done = set(AlertAcknowledgement.objects.filter(
        kind__in={a["kind"] for a in alerts}, key__in={a["key"] for a in alerts})
        .values_list("kind", "key"))
    return [a for a in alerts if (a["kind"], a["key"]) not in done]


def alert_kinds(user):
    """Every kind with its words and whether it sounds for this supervisor (the page config)."""
    muted = set(AlertMute.objects.filter(user=user).values_list("kind", flat=True))
    texts = alert_texts()
    return [{"kind": kind.value, "label": str(kind.label), "text": str(texts[kind]),
             "muted": kind.value in muted} for kind in AlertKind]
