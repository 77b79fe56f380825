"""Metrics endpoints: one list's figures and figures for a scope, with the role rule."""

import pytest

from profiles.services import worker_for_user
from tests.api_helpers import assert_error, claim, role_client, scan, url
from tests.builders import build_client, build_list, build_session, build_station, build_worker

pytestmark = pytest.mark.django_db

LINES = {"ORDER-001": [("SKU-A", 2)], "ORDER-002": [("SKU-B", 1)]}
FIGURES = {"orders_packed", "items_packed", "orders_per_hour_active", "items_per_hour_active",
           "orders_per_hour_wall", "items_per_hour_wall", "avg_order_seconds", "accuracy",
           "corrections", "extra_scans", "unknown_scans", "manual_confirmations"}


@pytest.fixture
def packed():
    """A packer who packed ORDER-001 (with one unknown scan) of client M: (api, list)."""
    packing_list = build_list(LINES, session=build_session(build_client("M")))
    build_station("PC-1")
    api = role_client("packer")
    token = claim(api, packing_list.pk, "PC-1").json()["token"]
    for code in ("ORDER-001", "SKU-A", "NOPE", "SKU-A"):
        scan(api, packing_list.pk, token, code)
    return api, packing_list


def test_list_metrics(packed):
    api, packing_list = packed
    response = api.get(url(packing_list.pk, "metrics/"))
    assert response.status_code == 200
    figures = response.json()
    assert FIGURES <= set(figures)
    assert figures["orders_packed"] == 1 and figures["items_packed"] == 2
    assert figures["unknown_scans"] == 1
    assert figures["scans"] == 4 and figures["wrong_scans"] == 1
    assert figures["accuracy"] == pytest.approx(0.75)


def test_scope_metrics_for_a_supervisor(packed):
    api, packing_list = packed
    supervisor = role_client("supervisor")
    figures = supervisor.get("/api/v1/metrics/", {"client": "m"}).json()
    assert figures["orders_packed"] == 1
    assert supervisor.get("/api/v1/metrics/", {"list": packing_list.pk}).json() == \
        api.get(url(packing_list.pk, "metrics/")).json()
    worker = worker_for_user(api.user)
    mine = supervisor.get("/api/v1/metrics/", {"worker": worker.pk}).json()
    assert mine["orders_packed"] == 1
    empty = supervisor.get("/api/v1/metrics/", {"from": "2000-01-01", "to": "2000-01-02"})
    assert empty.json()["orders_packed"] == 0
    grouped = supervisor.get("/api/v1/metrics/", {"group_by": "worker"}).json()
    assert grouped["group_by"] == "worker"
    by_key = {group["key"]: group["metrics"] for group in grouped["groups"]}
    assert by_key[str(worker.pk)]["orders_packed"] == 1


def test_a_packer_sees_only_their_own_figures(packed):
    api, packing_list = packed
    assert api.get("/api/v1/metrics/").json()["orders_packed"] == 1
    other = role_client("packer")
    assert other.get("/api/v1/metrics/").json()["orders_packed"] == 0
    someone = build_worker()
    assert_error(other.get("/api/v1/metrics/", {"worker": someone.pk}), 403, "forbidden")
    own = worker_for_user(other.user)
    assert other.get("/api/v1/metrics/", {"worker": own.pk}).status_code == 200


def test_metrics_filter_errors():
    api = role_client("supervisor")
    assert_error(api.get("/api/v1/metrics/", {"client": "NOPE"}), 404, "not_found")
    assert_error(api.get("/api/v1/metrics/", {"worker": 999999}), 404, "not_found")
    assert_error(api.get("/api/v1/metrics/", {"from": "yesterday"}), 400, "invalid")
    assert_error(api.get("/api/v1/metrics/", {"from": "2025-02-02", "to": "2025-02-01"}), 400,
                 "invalid")
    assert_error(api.get("/api/v1/metrics/", {"group_by": "moon"}), 400, "invalid")
