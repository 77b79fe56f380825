"""The SKU-mapping admin (issue 15): a client filter even with one client, one search for SKU
and barcode, a warning for a typed SKU no list of the client carries, the import preview as
old → new per field."""

import pytest
import tablib
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from profiles.roles import ADMIN, assign_role
from tests.builders import build_client, build_mapping
from tests.reports_builders import make_list, make_order

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:profiles_skumapping_changelist")
ADD_URL = reverse("admin:profiles_skumapping_add")
IMPORT_URL = reverse("admin:profiles_skumapping_import")
CONFIRM_URL = reverse("admin:profiles_skumapping_process_import")


@pytest.fixture
def ada(client):
    user = User.objects.create_user("ada", password="pw-123456")
    client.force_login(assign_role(user, ADMIN))
    return client


@pytest.fixture
def acme():
    acme = build_client("ACME", "Acme Cosmetics")
    plist = make_list(client_code="ACME")
    make_order(plist, "#1", [("DC-HC-050", 1, 0), ("DC-MC-100", 1, 0)])
    build_mapping(acme, "3801234500013", "DC-HC-050")
    build_mapping(acme, "3801234500099", "DC-MC-100")
    return acme


def shown(response):
    return sorted(m.barcode for m in response.context["cl"].result_list)


def test_client_filter_is_shown_with_a_single_client_and_filters(ada, acme):
    response = ada.get(LIST_URL)
    specs = response.context["cl"].filter_specs
    assert [str(s.title) for s in specs] == ["client"]
    assert "ACME · Acme Cosmetics" in response.content.decode()
    beta = build_client("BETA")
    build_mapping(beta, "111", "B-1")
    assert shown(ada.get(LIST_URL, {"client": "BETA"})) == ["111"]
    assert shown(ada.get(LIST_URL, {"client": "ACME"})) == ["3801234500013", "3801234500099"]


@pytest.mark.parametrize(("term", "expected"), [
    ("DC-HC-050", ["3801234500013"]),  # a SKU
    ("3801234500099", ["3801234500099"]),  # a barcode
    ("380-1234-5000-13", ["3801234500013"]),  # a barcode typed with other punctuation
    ("dc-mc", ["3801234500099"]),  # part of a SKU, other case
    ("acme", ["3801234500013", "3801234500099"]),  # a client code
    ("NOTHING", []),
])
def test_one_search_finds_sku_or_barcode(ada, acme, term, expected):
    assert shown(ada.get(LIST_URL, {"q": term})) == expected


def _add(ada, client, barcode, sku):
    return ada.post(ADD_URL, {"client": client.pk, "barcode": barcode, "sku": sku, "quantity": 1},
                    follow=True)


def test_a_typed_sku_no_list_carries_is_saved_with_a_warning(ada, acme):
    response = _add(ada, acme, "3801234500020", "DC-HC-05O")  # letter O for zero
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert len(warnings) == 1 and "“DC-HC-05O”" in warnings[0] and "ACME" in warnings[0]
    assert acme.sku_mappings.filter(sku="DC-HC-05O").exists()  # a warning, not a refusal


def test_a_known_sku_in_another_spelling_gives_no_warning(ada, acme):
    response = _add(ada, acme, "3801234500021", "dc hc 050")
    assert not [m for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]


def test_the_warning_is_in_the_users_language(ada, acme):
    with translation.override("bg"):
        response = ada.post(ADD_URL, {"client": acme.pk, "barcode": "1", "sku": "X-1",
                                      "quantity": 1},
                            follow=True, HTTP_ACCEPT_LANGUAGE="bg")
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert warnings and "ACME" in warnings[0] and "SKU" in warnings[0]
    assert "No packing list" not in warnings[0]


def _csv(rows):
    data = tablib.Dataset(headers=["client", "barcode", "sku"])
    for row in rows:
        data.append(row)
    return SimpleUploadedFile("m.csv", data.export("csv").encode())


def test_import_preview_shows_old_and_new_per_field(ada, acme):
    preview = ada.post(IMPORT_URL, {"format": "0", "resource": "0",
                                    "import_file": _csv([("ACME", "3801234500099", "DC-HC-050")])})
    html = preview.content.decode()
    assert '<del class="old">DC-MC-100</del> → <ins class="new">DC-HC-050</ins>' in html
    assert "background:#ffe6e6" not in html  # no character-level diff_match_patch markup


def test_import_warns_about_skus_no_list_carries(ada, acme):
    preview = ada.post(IMPORT_URL, {"format": "0", "resource": "0",
                                    "import_file": _csv([("ACME", "555", "TYPO-1"),
                                                         ("ACME", "556", "DC-HC-050")])})
    done = ada.post(CONFIRM_URL, preview.context["confirm_form"].initial, follow=True)
    warnings = [str(m) for m in get_messages(done.wsgi_request) if m.level_tag == "warning"]
    assert len(warnings) == 1 and "“TYPO-1”" in warnings[0] and "DC-HC-050" not in warnings[0]
