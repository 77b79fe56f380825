"""One timestamp policy (sessions.reads.payloads.iso): every payload, answer, floor row and
summary gives local time (settings.TIME_ZONE) with its offset, and the same instant reads the
same everywhere."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from sessions.metrics import order_metrics
from sessions.reads.floor_rows import floor_rows
from sessions.reads.payloads import iso
from sessions.reports import list_summary
from sessions.scanning.codes import scan
from tests.builders import add_order, build_list, claimed

pytestmark = pytest.mark.django_db


def local_offset(text):
    moment = datetime.fromisoformat(text)
    expected = moment.astimezone(ZoneInfo(settings.TIME_ZONE)).utcoffset()
    return moment.utcoffset() == expected


def test_iso_is_local_time_with_offset():
    moment = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert iso(moment) == "2026-07-01T15:00:00+03:00"  # Europe/Sofia in summer
    assert iso(None) is None


def test_answer_floor_row_metrics_and_summary_agree():
    pl = build_list()
    add_order(pl, "#1", [("SKU-A", 1)])
    claim = claimed(pl)
    scan(pl.pk, token=claim.token, code="#1", scan_id="a")
    answer = scan(pl.pk, token=claim.token, code="SKU-A", scan_id="b")
    stamps = [answer["order"]["started_at"], answer["order"]["completed_at"],
              answer["list"]["started_at"], answer["list"]["claim"]["since"],
              answer["list"]["claim"]["heartbeat_at"]]
    assert all(local_offset(s) for s in stamps), stamps
    row = floor_rows()[0]
    assert row["claim"]["since"] == answer["list"]["claim"]["since"]
    assert local_offset(row["last_scan"]["at"]) and local_offset(row["server_now"])
    order = pl.orders.get()
    assert order_metrics(order)["completed_at"] == answer["order"]["completed_at"]
    pl.refresh_from_db()
    assert list_summary(pl)["started_at"] == answer["list"]["started_at"]
