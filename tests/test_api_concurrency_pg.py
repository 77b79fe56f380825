"""The station contract under real concurrency (PostgreSQL row locks), through HTTP views.

Threads each use their own database connection, so these tests need a transactional database
and PostgreSQL (SQLite serialises whole transactions and proves nothing here).
"""

import threading

import pytest
from django.db import connection

from sessions.models import OrderItem, ScanEvent
from tests.api_helpers import claim, role_client, scan
from tests.builders import build_list, build_station

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(calls):
    """Start every call at the same instant (barrier); return their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_stations_claim_one_list_at_the_same_instant_one_wins():
    packing_list = build_list({"ORDER-001": [("SKU-A", 1)]})
    build_station("PC-1")
    build_station("PC-2")
    first, second = role_client("packer"), role_client("packer")
    responses = run_together([lambda: claim(first, packing_list.pk, "PC-1"),
                              lambda: claim(second, packing_list.pk, "PC-2")])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 409]
    loser = next(r for r in responses if r.status_code == 409).json()
    assert loser["code"] == "list_claimed"


def test_concurrent_scans_and_retries_count_each_unit_once():
    packing_list = build_list({"ORDER-001": [("SKU-A", 20)]})
    build_station("PC-1")
    api = role_client("packer")
    token = claim(api, packing_list.pk, "PC-1").json()["token"]
    scan(api, packing_list.pk, token, "ORDER-001", scan_id="open")
    # 10 distinct scans, each sent twice at once (a station retrying after a timeout).
    calls = [lambda i=i: scan(api, packing_list.pk, token, "SKU-A", scan_id=f"u{i}")
             for i in range(10) for _copy in range(2)]
    responses = run_together(calls)
    assert all(r.status_code == 200 for r in responses), [r.content for r in responses]
    assert sum(r.json()["duplicate"] for r in responses) == 10
    assert OrderItem.objects.get(order__packing_list=packing_list).packed == 10
    assert ScanEvent.objects.filter(packing_list=packing_list, raw_code="SKU-A").count() == 10
