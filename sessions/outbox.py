"""The webhook outbox: an event is written as OutboxMessage rows (one per webhook that wants
it) in the transaction of the change that caused it, so it is sent exactly when that change
is committed, and never lost if a process dies (`manage.py deliver_webhooks` sends it:
sessions.delivery).

The scan path pays nothing when no webhook wants an event: which clients want which events is
read once per process and kept `PACKER_WEBHOOK_CONFIG_SECONDS` (5 s; 0 = read every time). A
webhook saved or deleted in this process is seen at once; in another process within that
time, so a webhook created a few seconds ago may miss the first events. When a webhook does
want the event, its body is built and written with one INSERT … SELECT from that webhook's row
(so a webhook deleted meanwhile gets nothing, and never breaks the scan).

Events (the contract of issue 14): `order.completed`, `order.flagged` (from the scan path's
status changes, sessions.scanning.frame), `list.ended`, `session.completed`
(sessions.lifecycle).
"""

import json
import threading
import time
import uuid

from django.conf import settings
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from profiles.models import WEBHOOK_EVENT_FIELDS, Webhook, WebhookEvent
from sessions.models import Order, OutboxMessage
from sessions.reads.order_prep import list_event, order_status, session_event
from sessions.reads.payloads import iso

ORDER_EVENTS = {Order.Status.COMPLETED: WebhookEvent.ORDER_COMPLETED,
                Order.Status.NEEDS_REVIEW: WebhookEvent.ORDER_FLAGGED}


class _Wanted:
    """{(client id, event): [webhook ids]} of the active webhooks, re-read after a while."""

    def __init__(self):
        self._lock = threading.Lock()
        self._table = None
        self._read_at = 0.0

    def forget(self, **_kwargs):
        with self._lock:
            self._table = None

    def webhooks(self, client_id, event):
        ttl = settings.PACKER_WEBHOOK_CONFIG_SECONDS
        with self._lock:
            table = self._table
            if table is None or ttl <= 0 or time.monotonic() - self._read_at > ttl:
                table = self._table = self._read()
                self._read_at = time.monotonic()
        return table.get((client_id, str(event)), ())

    @staticmethod
    def _read():
        table = {}
        for hook in Webhook.objects.filter(active=True).order_by("id"):
            for event, name in WEBHOOK_EVENT_FIELDS.items():
                if getattr(hook, name):
                    table.setdefault((hook.client_id, str(event)), []).append(hook.pk)
        return table


WANTED = _Wanted()
post_save.connect(WANTED.forget, sender=Webhook, dispatch_uid="outbox-webhook-saved")
post_delete.connect(WANTED.forget, sender=Webhook, dispatch_uid="outbox-webhook-deleted")


def body_of(event, data, now):
    """The exact bytes POSTed (kept as text: the signature covers them, and a retry sends the
    same)."""
    return json.dumps({"event": str(event), "occurred_at": iso(now), "data": data},
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def enqueue(client_id, event, build, now=None):
    """Write `event` for every webhook of the client that wants it (one INSERT; nothing at
    all when none does). `build()` makes the event's data, only when it is needed. Call it
    inside the transaction of the change."""
    hooks = WANTED.webhooks(client_id, event)
    if not hooks:
        return 0
    now = now or timezone.now()
    body = body_of(event, build(), now)
    return sum(_insert(hook, str(event), body, now) for hook in hooks)


def _insert(webhook_id, event, body, now):
    """INSERT … SELECT from the webhook's row: a webhook deleted or switched off since the
    table above was read gets nothing (and the change it comes with is never refused)."""
    fields = {f.name: f for f in OutboxMessage._meta.concrete_fields}
    values = {"event": event, "delivery_id": uuid.uuid4(), "body": body,
              "status": OutboxMessage.Status.PENDING, "attempts": 0, "retries": 0,
              "next_attempt_at": now, "last_error": "", "created_at": now}
    columns = [fields["webhook"].column] + [fields[name].column for name in values]
    params = [fields[name].get_db_prep_save(value, connection)
              for name, value in values.items()]
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(OutboxMessage._meta.db_table)} "
           f"({', '.join(quote(c) for c in columns)}) "
           f"SELECT id, {', '.join(['%s'] * len(params))} FROM {quote(Webhook._meta.db_table)} "
           f"WHERE id = %s AND active = %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, webhook_id, True])
        return cursor.rowcount


def order_changed(packing_list, order, *, worker=None, station=None, now=None):
    """`order.completed` / `order.flagged` for an order whose status just changed to one of
    those (the scan path hands in the locked list, which has its session and client)."""
    event = ORDER_EVENTS.get(order.status)
    if event is None:
        return 0
    client_id = packing_list.session.client_id

    def build():
        return {"order": order_status(
            order, packing_list=packing_list,
            packed_by=worker.display_name if worker is not None and
            order.completed_by_id == worker.pk else None,
            station=station.name if station is not None and
            order.completed_station_id == station.pk else None)}

    return enqueue(client_id, event, build, now)


def list_ended(packing_list, now=None):
    return enqueue(packing_list.session.client_id, WebhookEvent.LIST_ENDED,
                   lambda: list_event(packing_list), now)


def session_completed(session, now=None):
    return enqueue(session.client_id, WebhookEvent.SESSION_COMPLETED,
                   lambda: session_event(session), now)
