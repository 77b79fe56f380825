"""GET /api/v1/lists/{id}/orders/ in pages (issue 12): the body stays the bare array it always
was, so a caller that ignores paging gets the first page (the whole list when it fits), and the
Link header names the next page; pages are bounded by PACKER_API_ORDERS_PAGE_MAX."""

import base64
import re

import pytest
from django.conf import settings
from django.utils import timezone

from sessions.models import Order
from tests.api_helpers import assert_error, role_client, url
from tests.builders import build_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return role_client("packer")


def next_link(response):
    found = re.search(r'<([^>]+)>; rel="next"', response.get("Link", ""))
    return found.group(1) if found else None


def walk(api, first_url, params=None):
    """Every page, following rel="next"; returns (numbers in order, pages)."""
    numbers, pages, response = [], 0, api.get(first_url, params)
    while True:
        assert response.status_code == 200, response.content[:200]
        assert isinstance(response.json(), list)
        numbers += [o["number"] for o in response.json()]
        pages += 1
        link = next_link(response)
        if link is None:
            return numbers, pages
        response = api.get(link)


def test_the_default_page_is_the_documented_maximum():
    assert settings.PACKER_API_ORDERS_PAGE_MAX == 1000


def test_a_list_that_fits_one_page_is_answered_exactly_as_before(api):
    packing_list = build_list({f"O-{i}": [("A", 1)] for i in range(5)})
    response = api.get(url(packing_list.pk, "orders/"))
    assert [o["number"] for o in response.json()] == [f"O-{i}" for i in range(5)]
    assert "Link" not in response


def test_a_longer_list_gives_its_first_page_and_a_link_to_the_next(api, settings):
    settings.PACKER_API_ORDERS_PAGE_MAX = 3
    packing_list = build_list({f"O-{i}": [("A", 1)] for i in range(8)})
    first = api.get(url(packing_list.pk, "orders/"))
    assert [o["number"] for o in first.json()] == ["O-0", "O-1", "O-2"]
    assert 'rel="next"' in first["Link"] and 'rel="prev"' not in first["Link"]
    second = api.get(next_link(first))
    assert [o["number"] for o in second.json()] == ["O-3", "O-4", "O-5"]
    assert 'rel="prev"' in second["Link"]
    numbers, pages = walk(api, url(packing_list.pk, "orders/"))
    assert numbers == [f"O-{i}" for i in range(8)] and pages == 3


def test_page_size_is_capped_at_the_maximum(api, settings):
    settings.PACKER_API_ORDERS_PAGE_MAX = 4
    packing_list = build_list({f"O-{i}": [("A", 1)] for i in range(6)})
    assert len(api.get(url(packing_list.pk, "orders/"), {"page_size": 100}).json()) == 4
    numbers, pages = walk(api, url(packing_list.pk, "orders/"), {"page_size": 2})
    assert len(numbers) == 6 and pages == 3


def test_a_status_filter_is_kept_across_pages_and_orders_finishing_meanwhile_skip_none(api):
    packing_list = build_list({f"O-{i}": [("A", 1)] for i in range(6)})
    first = api.get(url(packing_list.pk, "orders/"), {"status": "new", "page_size": 2})
    assert [o["number"] for o in first.json()] == ["O-0", "O-1"]
    Order.objects.filter(number__in=["O-0", "O-1"]).update(status="completed",
                                                          completed_at=timezone.now())
    second = api.get(next_link(first))
    assert [o["number"] for o in second.json()] == ["O-2", "O-3"]  # keyset: no order skipped


def test_a_page_costs_the_same_queries_however_long_the_list(api, django_assert_max_num_queries):
    packing_list = build_list({f"O-{i}": [("A", 1), ("B", 2)] for i in range(40)})
    first = api.get(url(packing_list.pk, "orders/"), {"page_size": 10})
    with django_assert_max_num_queries(8):
        assert len(api.get(next_link(first)).json()) == 10


@pytest.mark.parametrize("position", ["!!", "p=abc", "p=99999999999999999999999", "p=-1",
                                      "o=99999999999&p=1", "p=1\x00"])
def test_a_forged_cursor_is_a_json_404(api, position):
    packing_list = build_list({"O-1": [("A", 1)]})
    cursor = position if position == "!!" else base64.b64encode(position.encode()).decode()
    response = api.get(url(packing_list.pk, "orders/"), {"cursor": cursor})
    if response.status_code == 200:  # a cursor that means "after nothing" is just a page
        assert isinstance(response.json(), list)
    else:
        assert_error(response, 404, "not_found")


def test_the_schema_documents_the_paging():
    from rest_framework.test import APIClient

    schema = APIClient().get("/api/v1/schema/",
                             HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/lists/{id}/orders/"]["get"]
    assert {"status", "cursor", "page_size"} <= {p["name"] for p in operation["parameters"]}
    assert "Link" in operation["responses"]["200"]["headers"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["type"] \
        == "array"
    assert "ignores paging gets" in operation["description"]
