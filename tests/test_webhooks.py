"""Outbound webhooks (issue 14, "The order-prep side hears what was packed"): events are
written to the outbox in the transaction of the change, delivered by `deliver_webhooks` to a
real local HTTP receiver as signed JSON, retried with the same delivery id after a failure,
logged, redelivered by hand; a receiver that hangs never blocks scanning."""

import json
import threading
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from profiles.models import Webhook
from sessions import delivery, outbox
from sessions.lifecycle import end_list
from sessions.models import DeliveryAttempt, OutboxMessage
from sessions.scanning.codes import perform_action, scan
from tests.builders import build_client, build_list, build_session, build_user, claimed
from tests.webhook_receiver import SECRET, Receiver, verify


@pytest.fixture(autouse=True)
def _fresh_webhook_table():
    """Test databases are flushed without signals: forget the per-process table."""
    outbox.WANTED.forget()
    yield
    outbox.WANTED.forget()


@pytest.fixture
def receiver():
    made = []

    def make(plan=(), delay=0.0):
        made.append(Receiver(plan, delay))
        return made[-1]

    yield make
    for r in made:
        r.close()


def packed_list(client):
    return build_list({"1001": [("SKU-A", 1)], "1002": [("SKU-B", 1)]},
                      session=build_session(client, "2026-11-30_1"), name="DHL_Orders")


def pack(claim, number, sku):
    scan(claim.list_id, token=claim.token, code=number)
    return scan(claim.list_id, token=claim.token, code=sku)


@pytest.mark.django_db(transaction=True)
def test_a_signed_order_completed_arrives_and_verifies_with_the_secret(receiver, settings):
    r = receiver()
    client = build_client("M")
    Webhook.objects.create(client=client, url=r.url, secret=SECRET)
    claim = claimed(packed_list(client))
    answer = pack(claim, "1001", "SKU-A")
    assert answer["order_completed"] is True
    message = OutboxMessage.objects.get()
    assert (message.event, message.status) == ("order.completed", "pending")

    call_command("deliver_webhooks", "--once", stdout=StringIO())

    [request] = r.requests
    headers = request["headers"]
    assert headers["X-Packer-Event"] == "order.completed"
    assert headers["X-Packer-Delivery"] == str(message.delivery_id)
    assert headers["Content-Type"].startswith("application/json")
    assert verify(request)
    assert not verify(request, secret="another-secret-of-16+chars")
    body = json.loads(request["body"])
    assert body["event"] == "order.completed"
    order = body["data"]["order"]
    assert order["number"] == "1001" and order["status"] == "completed"
    assert order["client"] == "M" and order["list"]["name"] == "DHL_Orders"
    assert order["packed_by"] == claim.worker.display_name
    assert order["station"] == claim.station.name
    assert order["completed_at"].endswith(("+02:00", "+03:00")) and order["boxes"] == 1
    message.refresh_from_db()
    assert message.status == "delivered" and message.attempts == 1
    attempt = DeliveryAttempt.objects.get()
    assert (attempt.ok, attempt.status_code, attempt.number) == (True, 200, 1)


@pytest.mark.django_db(transaction=True)
def test_a_failed_delivery_is_retried_with_the_same_delivery_id_and_body(receiver, settings):
    settings.PACKER_WEBHOOK_RETRY_SECONDS = 60
    r = receiver(plan=[500])
    client = build_client("M")
    Webhook.objects.create(client=client, url=r.url, secret=SECRET)
    claim = claimed(packed_list(client))
    pack(claim, "1001", "SKU-A")

    assert delivery.run_pass() == 1
    message = OutboxMessage.objects.get()
    assert message.status == "pending" and message.retries == 1
    assert "HTTP 500" in message.last_error
    # Backed off: not due in the next pass.
    assert message.next_attempt_at > timezone.now() + timedelta(seconds=50)
    assert delivery.run_pass() == 0
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    assert delivery.run_pass() == 1

    first, second = r.requests
    assert first["headers"]["X-Packer-Delivery"] == second["headers"]["X-Packer-Delivery"]
    assert first["headers"]["X-Packer-Delivery"] == str(message.delivery_id)
    assert first["body"] == second["body"] and verify(second)
    message.refresh_from_db()
    assert message.status == "delivered" and message.attempts == 2 and message.retries == 0
    assert list(message.delivery_attempts.values_list("number", "ok", "status_code")) == [
        (1, False, 500), (2, True, 200)]


@pytest.mark.django_db(transaction=True)
def test_back_off_doubles_and_gives_up_after_the_limit(receiver, settings):
    settings.PACKER_WEBHOOK_RETRY_SECONDS = 10
    settings.PACKER_WEBHOOK_RETRY_MAX_SECONDS = 25
    settings.PACKER_WEBHOOK_MAX_ATTEMPTS = 3
    assert [delivery.backoff(n) for n in (1, 2, 3, 4)] == [10, 20, 25, 25]
    r = receiver(plan=[503, 503, 503, 503])
    client = build_client("M")
    Webhook.objects.create(client=client, url=r.url, secret=SECRET)
    pack(claimed(packed_list(client)), "1001", "SKU-A")
    for _ in range(3):
        OutboxMessage.objects.update(next_attempt_at=timezone.now())
        delivery.run_pass()
    message = OutboxMessage.objects.get()
    assert message.status == "failed" and message.attempts == 3
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    assert delivery.run_pass() == 0  # given up

    # The admin's redeliver queues it again: same delivery id, a fresh back-off.
    admin_user = build_user("root", is_staff=True, is_superuser=True)
    request = RequestFactory().post("/")
    request.user = admin_user
    request._messages = type("M", (), {"add": lambda *a, **k: None})()
    model_admin = admin.site._registry[OutboxMessage]
    model_admin.redeliver(request, OutboxMessage.objects.all())
    message.refresh_from_db()
    assert message.status == "pending" and message.retries == 0
    assert delivery.run_pass() == 1  # the 4th 503
    assert delivery.run_pass() == 0
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    assert delivery.run_pass() == 1  # 200
    message.refresh_from_db()
    assert message.status == "delivered" and message.attempts == 5
    assert len({req["headers"]["X-Packer-Delivery"] for req in r.requests}) == 1


@pytest.mark.django_db(transaction=True)
def test_a_delivery_process_that_dies_mid_post_loses_nothing(receiver, settings):
    """The message is leased, not removed: a process killed after taking it (before any
    answer was recorded) leaves it pending, and it goes out after the lease, same id.
    (tests/deploy/test_smoke.py kills a real deliver_webhooks process.)"""
    r = receiver()
    client = build_client("M")
    Webhook.objects.create(client=client, url=r.url, secret=SECRET)
    pack(claimed(packed_list(client)), "1001", "SKU-A")
    taken = delivery.take_due()  # ... and the process dies here
    assert taken is not None and delivery.take_due() is None  # leased: nobody else sends it
    message = OutboxMessage.objects.get()
    assert message.status == "pending"
    assert message.next_attempt_at > timezone.now() + timedelta(
        seconds=settings.PACKER_WEBHOOK_TIMEOUT_SECONDS)
    OutboxMessage.objects.update(next_attempt_at=timezone.now())  # the lease ran out
    assert delivery.run_pass() == 1
    assert r.requests[0]["headers"]["X-Packer-Delivery"] == str(message.delivery_id)


@pytest.mark.django_db(transaction=True)
def test_a_receiver_that_hangs_never_blocks_scanning(receiver, settings):
    settings.PACKER_WEBHOOK_TIMEOUT_SECONDS = 3
    r = receiver(delay=6)
    client = build_client("M")
    Webhook.objects.create(client=client, url=r.url, secret=SECRET)
    packing_list = build_list({f"{n}": [("SKU-A", 1)] for n in range(1001, 1006)},
                              session=build_session(client), name="L")
    claim = claimed(packing_list)
    pack(claim, "1001", "SKU-A")
    worker = threading.Thread(target=delivery.run_pass, kwargs={"limit": 1})
    worker.start()
    deadline = time.monotonic() + 5
    while not r.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    assert r.requests, "the delivery did not start"
    # The delivery is now waiting for the hanging receiver: scans go on at full speed.
    timings = []
    for number in range(1002, 1006):
        started = time.monotonic()
        pack(claim, str(number), "SKU-A")
        timings.append(time.monotonic() - started)
    assert worker.is_alive(), "the receiver answered before the scans were done"
    assert max(timings) < 1.0, timings
    worker.join(10)
    message = OutboxMessage.objects.order_by("id").first()
    assert message.status == "pending" and "Timeout" in message.last_error
    assert OutboxMessage.objects.count() == 5


@pytest.mark.django_db
def test_events_follow_what_each_webhook_wants(settings):
    client, other = build_client("M"), build_client("N")
    Webhook.objects.create(client=client, url="http://127.0.0.1:9/all", secret=SECRET,
                           on_order_completed=True, on_order_flagged=True, on_list_ended=True,
                           on_session_completed=True)
    Webhook.objects.create(client=client, url="http://127.0.0.1:9/done", secret=SECRET)
    Webhook.objects.create(client=other, url="http://127.0.0.1:9/other", secret=SECRET,
                           on_order_completed=True, on_list_ended=True)
    claim = claimed(packed_list(client))
    pack(claim, "1001", "SKU-A")
    scan(claim.list_id, token=claim.token, code="1002")
    perform_action(claim.list_id, token=claim.token, action="flag", reason="short")
    from tests.builders import supervisor_approval

    end_list(claim.list_id, token=claim.token, force=True, approver=supervisor_approval())
    rows = list(OutboxMessage.objects.order_by("id").values_list("webhook__url", "event"))
    assert rows == [
        ("http://127.0.0.1:9/all", "order.completed"),
        ("http://127.0.0.1:9/done", "order.completed"),
        ("http://127.0.0.1:9/all", "order.flagged"),
        ("http://127.0.0.1:9/all", "list.ended"),
        ("http://127.0.0.1:9/all", "session.completed"),
    ]
    flagged = json.loads(OutboxMessage.objects.get(event="order.flagged").body)
    assert flagged["data"]["order"]["problem"] == "short"
    assert flagged["data"]["order"]["packed_by"] is None
    ended = json.loads(OutboxMessage.objects.get(event="list.ended").body)
    assert ended["data"]["list"]["completed_orders"] == 1
    done = json.loads(OutboxMessage.objects.get(event="session.completed").body)
    assert done["data"]["session"]["status"] == "completed"
    assert done["data"]["packing_progress"]["DHL_Orders"]["completed_orders"] == ["1001"]


@pytest.mark.django_db
def test_no_webhook_no_outbox_and_no_query(settings):
    settings.PACKER_WEBHOOK_CONFIG_SECONDS = 60
    client = build_client("M")
    claim = claimed(packed_list(client))
    pack(claim, "1001", "SKU-A")  # warms the per-process table of who wants what
    scan(claim.list_id, token=claim.token, code="1002")
    with CaptureQueriesContext(connection) as ctx:
        answer = scan(claim.list_id, token=claim.token, code="SKU-B")
    assert answer["order_completed"] is True
    assert not [q for q in ctx.captured_queries if "webhook" in (q["sql"] or "").lower()]
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_the_outbox_row_rolls_back_with_the_change():
    client = build_client("M")
    Webhook.objects.create(client=client, url="http://127.0.0.1:9/x", secret=SECRET)
    claim = claimed(packed_list(client))
    scan(claim.list_id, token=claim.token, code="1001")
    with pytest.raises(RuntimeError), transaction.atomic():
        scan(claim.list_id, token=claim.token, code="SKU-A")
        assert OutboxMessage.objects.count() == 1
        raise RuntimeError("the change did not commit")
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_the_database_refuses_a_bad_webhook():
    client = build_client("M")
    for bad in ({"url": "ftp://x/", "secret": SECRET}, {"url": "http://x/", "secret": "short"},
                {"url": "http://x/", "secret": SECRET, "on_order_completed": False}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Webhook.objects.create(client=client, **bad)
    Webhook.objects.create(client=client, url="http://x/", secret=SECRET)
    with pytest.raises(IntegrityError), transaction.atomic():
        Webhook.objects.create(client=client, url="http://x/", secret=SECRET)


@pytest.mark.django_db
def test_a_webhook_gone_behind_the_table_never_breaks_a_scan(settings):
    settings.PACKER_WEBHOOK_CONFIG_SECONDS = 60
    client = build_client("M")
    hook = Webhook.objects.create(client=client, url="http://127.0.0.1:9/x", secret=SECRET)
    claim = claimed(packed_list(client))
    pack(claim, "1001", "SKU-A")
    assert OutboxMessage.objects.count() == 1
    OutboxMessage.objects.all().delete()
    # Deleted by another process (no signal here): this process's table still names it.
    Webhook.objects.filter(pk=hook.pk)._raw_delete(connection.alias)
    answer = pack(claim, "1002", "SKU-B")
    assert answer["order_completed"] is True
    assert not OutboxMessage.objects.exists()
