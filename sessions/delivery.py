"""Sending the webhook outbox (sessions.outbox): `manage.py deliver_webhooks` runs it.

Each due message is POSTed as JSON with `X-Packer-Event`, `X-Packer-Delivery` (its delivery id,
the same on every retry and redelivery) and `X-Packer-Signature: sha256=<hex HMAC-SHA256 of
the raw body with the webhook's secret>`. A 2xx answer delivers it; anything else (an error
status, a refused connection, no answer within PACKER_WEBHOOK_TIMEOUT_SECONDS) is logged as a
DeliveryAttempt and retried after PACKER_WEBHOOK_RETRY_SECONDS × 2^(failures − 1), at most
PACKER_WEBHOOK_RETRY_MAX_SECONDS apart, until PACKER_WEBHOOK_MAX_ATTEMPTS failures in a row
(then it is `failed`; a manual redeliver queues it again).

At least once, never lost: a message is taken with a lease (its next attempt moved past the
time a POST may take) in a short transaction of its own, and the POST happens outside any
transaction. A delivery process killed mid-POST leaves the message pending; after the lease it
is sent again, with the same delivery id, by whichever process runs next (receivers
deduplicate by that id). Several processes may run: PostgreSQL hands each message to one
(SKIP LOCKED). Scanning never waits for any of this: it only writes the outbox row.
"""

import hashlib
import hmac
import logging
import time
from datetime import timedelta

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sessions.models import DeliveryAttempt, OutboxMessage

log = logging.getLogger(__name__)
LEASE_MARGIN_SECONDS = 5
ERROR_MAX = 2000


def signature(secret, body):
    """`sha256=<hex>`: the HMAC-SHA256 of the raw body bytes with the webhook's secret."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def headers_for(message, body):
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "packer-server-webhooks/1",
        "X-Packer-Event": message.event,
        "X-Packer-Delivery": str(message.delivery_id),
        "X-Packer-Signature": signature(message.webhook.secret, body),
    }


def backoff(failures):
    """Seconds to wait after the n-th failure in a row: RETRY × 2^(n − 1), capped."""
    delay = settings.PACKER_WEBHOOK_RETRY_SECONDS * 2 ** max(failures - 1, 0)
    return min(delay, settings.PACKER_WEBHOOK_RETRY_MAX_SECONDS)


def lease_seconds():
    """How long a taken message waits before another pass may send it again: twice the POST
    timeout and a margin (a process alive that long has recorded the answer)."""
    return 2 * settings.PACKER_WEBHOOK_TIMEOUT_SECONDS + LEASE_MARGIN_SECONDS


def take_due(now=None):
    """The next due message (its webhook active), leased to this process; None if none."""
    now = now or timezone.now()
    with transaction.atomic():
        message = (OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
                   .select_related("webhook")
                   .filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now,
                           webhook__active=True)
                   .order_by("next_attempt_at", "id").first())
        if message is None:
            return None
        message.next_attempt_at = now + timedelta(seconds=lease_seconds())
        message.save(update_fields=["next_attempt_at"])
    return message


def post(client, message):
    """POST the message once; (status code or None, error text, milliseconds)."""
    body = message.body.encode("utf-8")
    started = time.monotonic()
    try:
        response = client.post(message.webhook.url, content=body,
                               headers=headers_for(message, body))
    except httpx.HTTPError as error:
        return None, f"{type(error).__name__}: {error}"[:ERROR_MAX], _ms(started)
    error = "" if response.is_success else f"HTTP {response.status_code}: {response.text[:500]}"
    return response.status_code, error, _ms(started)


def _ms(started):
    return int((time.monotonic() - started) * 1000)


def record(message, status_code, error, duration_ms, started_at):
    """Log the attempt and move the message on: delivered, retried later, or given up."""
    ok = status_code is not None and 200 <= status_code < 300
    now = timezone.now()
    with transaction.atomic():
        message.attempts += 1
        DeliveryAttempt.objects.create(
            message=message, number=message.attempts, started_at=started_at,
            duration_ms=duration_ms, status_code=status_code, ok=ok, error=error)
        fields = ["attempts", "retries", "status", "next_attempt_at", "delivered_at",
                  "last_error"]
        if ok:
            message.status = OutboxMessage.Status.DELIVERED
            message.delivered_at, message.last_error, message.retries = now, "", 0
        else:
            message.retries += 1
            message.last_error = error
            if message.retries >= settings.PACKER_WEBHOOK_MAX_ATTEMPTS:
                message.status = OutboxMessage.Status.FAILED
            else:
                message.next_attempt_at = now + timedelta(seconds=backoff(message.retries))
        message.save(update_fields=fields)
    return ok


def deliver_one(client, message):
    started_at = timezone.now()
    status_code, error, duration = post(client, message)
    ok = record(message, status_code, error, duration, started_at)
    log.info("webhook %s %s -> %s", message.event, message.delivery_id,
             status_code if ok else error)
    return ok


def http_client():
    return httpx.Client(timeout=settings.PACKER_WEBHOOK_TIMEOUT_SECONDS,
                        follow_redirects=False)


def run_pass(limit=None, client=None):
    """Send the messages due now (at most `limit`); returns how many were attempted."""
    own = client is None
    client = client or http_client()
    sent = 0
    try:
        while limit is None or sent < limit:
            message = take_due()
            if message is None:
                break
            deliver_one(client, message)
            sent += 1
    finally:
        if own:
            client.close()
    return sent


def run_forever(stop, poll=None):
    """Keep sending until `stop()` says so, looking for due messages every `poll` seconds."""
    poll = settings.PACKER_WEBHOOK_POLL_SECONDS if poll is None else poll
    with http_client() as client:
        while not stop():
            if not run_pass(client=client):
                time.sleep(poll)


def redeliver(messages):
    """Queue these messages again now (admin action): same body, same delivery id, and a
    fresh back-off. Returns how many were queued."""
    return OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
        status=OutboxMessage.Status.PENDING, next_attempt_at=timezone.now(), retries=0)
