"""Live updates: after a change commits, tell the floor, the client's screens and the list's
screens what the list looks like now.

Sent only on commit (a rolled-back scan must never show on a screen) and never allowed to fail
the write that caused it: a lost message is repaired when a socket reconnects and re-reads.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from sessions.reads.payloads import iso, list_payload

logger = logging.getLogger(__name__)

FLOOR_GROUP = "floor"


def client_group(code):
    return f"client-{code}"


def list_group(list_id):
    return f"list-{list_id}"


def last_scan_payload(scan, outcome=None):
    if scan is None:
        return None
    return {
        "code": scan.raw_code,
        "action": scan.action,
        "outcome": outcome or scan.outcome,
        "at": iso(scan.created_at),
        "worker": scan.worker.display_name if scan.worker_id else None,
        "station": scan.station.name if scan.station_id else None,
    }


def publish_list_event(packing_list, *, outcome=None, scan=None, payload=None):
    """Queue a "list.update" for groups floor, client-<code>, list-<id> after commit.

    `payload` (a list_payload already built by the caller, e.g. the scan answer's) avoids
    computing the counters twice; otherwise it is built now, inside the transaction, so it
    shows exactly the state being committed.
    """
    if payload is None:
        payload = list_payload(packing_list)
    body = dict(payload)
    body["last_scan"] = last_scan_payload(scan, outcome)
    message = {"type": "list.update", "list_id": packing_list.pk, "payload": body}
    groups = [FLOOR_GROUP, client_group(body["client"]), list_group(packing_list.pk)]
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
