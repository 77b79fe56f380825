"""Small screens and words (issue 15): the refused page, the list details' tiles and metrics
heading, the timeline's words for extras, the session browser's search box."""

import pytest
from django.test import Client as WebClient
from django.utils import timezone

from sessions.lifecycle import end_list
from sessions.models import PackingList
from sessions.scanning.codes import perform_action, scan
from tests.builders import build_list, build_user, build_worker, claimed

pytestmark = pytest.mark.django_db


def web_as(role, lang="en"):
    user = build_user(role=role) if role else build_user()
    client = WebClient(HTTP_ACCEPT_LANGUAGE=lang)
    client.cookies["django_language"] = lang
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", ["/floor/", "/imports/"])
def test_a_packer_refused_gets_a_page_saying_what_the_role_allows(url):
    response = web_as("packer").get(url)
    assert response.status_code == 403
    page = response.content.decode()
    assert 'class="topbar"' in page and 'class="mainnav"' in page  # the site's layout
    assert "Your role is packer" in page
    assert 'id="back-to-station" href="/station/"' in page
    assert 'href="/sessions/"' in page and 'href="/imports/"' not in page.split("allowed")[-1]


@pytest.mark.parametrize(("lang", "words"), [("bg", "Вашата роля"), ("uk", "Ваша роль")])
def test_the_refused_page_is_in_the_users_language(lang, words):
    page = web_as("packer", lang).get("/floor/").content.decode()
    assert words in page


def test_an_account_without_a_role_is_refused_without_links():
    page = web_as(None).get("/station/").content.decode()
    assert "no role on the packing floor" in page
    assert 'id="back-to-station"' not in page and 'class="mainnav"' not in page


def _detail(packing_list, lang="en"):
    return web_as("supervisor", lang).get(f"/sessions/lists/{packing_list.pk}/").content.decode()


def test_a_list_never_started_shows_no_partial_metrics():
    page = _detail(build_list({"O-1": [("A", 1)]}))
    assert "partial: the list is still being packed" not in page
    assert "none yet: the list has not been started" in page
    assert 'data-figure="orders_per_hour"' not in page
    assert 'data-tile="free"' in page


def test_a_completed_list_shows_when_and_by_whom_it_ended_not_free():
    packing_list = build_list({"O-1": [("A", 1)]})
    worker = build_worker("Мария")
    claim = claimed(packing_list, worker=worker)
    scan(packing_list.pk, token=claim.token, code="O-1")
    scan(packing_list.pk, token=claim.token, code="A")
    end_list(packing_list.pk, token=claim.token)
    packing_list.refresh_from_db()
    assert packing_list.status == PackingList.Status.COMPLETED
    page = _detail(packing_list)
    assert 'data-tile="ended"' in page and "ended by Мария" in page
    ended = timezone.localtime(packing_list.ended_at).strftime("%Y-%m-%d %H:%M")
    assert ended in page
    assert '>free<' not in page and "partial:" not in page
    assert 'data-figure="orders_per_hour"' in page


def test_a_list_being_packed_says_its_metrics_are_partial_and_who_holds_it():
    packing_list = build_list({"O-1": [("A", 2)]})
    claim = claimed(packing_list, worker=build_worker("Георги"))
    scan(packing_list.pk, token=claim.token, code="O-1")
    page = _detail(packing_list)
    assert "partial: the list is still being packed" in page
    assert 'data-tile="held"' in page and "Георги" in page


def test_the_timeline_says_what_happened_to_an_extra_unit():
    packing_list = build_list({"O-1": [("A", 1), ("B", 1)]})
    claim = claimed(packing_list)
    for code in ("O-1", "A", "A", "A"):
        scan(packing_list.pk, token=claim.token, code=code)
    perform_action(packing_list.pk, token=claim.token, action="remove_extra", sku="A")
    perform_action(packing_list.pk, token=claim.token, action="keep_extra", sku="A")
    order = packing_list.orders.get()
    page = web_as("supervisor").get(f"/sessions/orders/{order.pk}/timeline/").content.decode()
    assert "(1 unit taken out of the parcel)" in page
    assert "(1 unit kept in the parcel)" in page
    assert "Extra removed</b>" in page and "(+1)" not in page.split("Extra removed")[1][:200]


@pytest.mark.parametrize("lang", ["en", "bg", "uk"])
def test_the_search_box_is_as_wide_as_its_placeholder(lang):
    from django.utils import translation
    page = web_as("packer", lang).get("/sessions/").content.decode()
    with translation.override(lang):
        placeholder = str(translation.gettext("session, list, worker, station"))
    assert f'placeholder="{placeholder}"' in page
    assert f'size="{len(placeholder) + 4}"' in page
