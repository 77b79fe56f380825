"""A file has one name whichever screen, API or command gives it (sessions/downloads.py)."""

import pytest
from django.test import Client as WebClient

from sessions.downloads import file_name, safe_name
from tests.api_helpers import role_client
from tests.builders import add_order, build_list, build_session, build_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def packing_list():
    session = build_session(external_id="2026-03-02_1")
    pl = build_list(session=session, name="Нова Пошта / DHL")
    add_order(pl, "#1001", [("SKU-A", 1)])
    return pl


def disposition(response):
    assert response.status_code == 200, response.content[:200]
    return response["Content-Disposition"]


def test_report_has_the_same_name_from_the_session_browser_and_the_api(packing_list):
    web = WebClient()
    web.force_login(build_user(role="supervisor"))
    api = role_client("supervisor")
    page = disposition(web.get(f"/sessions/lists/{packing_list.pk}/report.xlsx"))
    rest = disposition(api.get(f"/api/v1/lists/{packing_list.pk}/report.xlsx"))
    assert page == rest
    assert file_name("report", "xlsx", packing_list=packing_list) == \
        "2026-03-02_1_Нова_Пошта___DHL_completed.xlsx"


@pytest.mark.parametrize("fmt", ["pdf", "zpl"])
def test_labels_have_the_same_name_from_the_session_browser_and_the_api(packing_list, fmt):
    web = WebClient()
    web.force_login(build_user(role="supervisor"))
    api = role_client("supervisor")
    page = disposition(web.get(f"/sessions/lists/{packing_list.pk}/labels.{fmt}"))
    rest = disposition(api.get(f"/api/v1/lists/{packing_list.pk}/labels.{fmt}"))
    assert page == rest


def test_non_latin_names_are_sent_as_rfc_6266_utf8(packing_list):
    web = WebClient()
    web.force_login(build_user(role="supervisor"))
    header = disposition(web.get(f"/sessions/lists/{packing_list.pk}/report.xlsx"))
    assert header.startswith("attachment; filename*=utf-8''")
    assert "%D0%9D%D0%BE%D0%B2%D0%B0" in header  # "Нова", percent-encoded


@pytest.mark.parametrize("raw, expected", [
    ("#1001!", "1001"), ("../../etc/passwd", "etc_passwd"), ('a"b;c', "a_b_c"), ("!!!", "file"),
])
def test_safe_name_keeps_letters_digits_dash_underscore(raw, expected):
    assert safe_name(raw) == expected
