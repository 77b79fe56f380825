"""Scenario 36: a deleted SKU mapping stays deleted; every change keeps who and when.

The old app kept `backups/` copies of the mapping file and merged them back, so deleted
mappings came back. Here the history is simple_history's log, written in the same request as
the change and attributed to the signed-in user.
"""

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from profiles.models import Client, SkuMapping
from profiles.roles import ADMIN, assign_role
from tests.builders import build_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(client):
    user = assign_role(User.objects.create_user("ada", password="pw-123456"), ADMIN)
    client.force_login(user)
    return user


def add_mapping(client, acme, barcode, sku):
    response = client.post(reverse("admin:profiles_skumapping_add"),
                           {"client": acme.pk, "barcode": barcode, "sku": sku, "quantity": 1})
    assert response.status_code == 302, response.content[:1500]
    return SkuMapping.objects.get(client=acme, barcode=barcode)


def test_every_mapping_change_keeps_who_and_when(client, ada):
    acme = build_client("ACME")
    started = timezone.now()
    mapping = add_mapping(client, acme, "7290018664100", "SKU-1")
    response = client.post(reverse("admin:profiles_skumapping_change", args=[mapping.pk]),
                           {"client": acme.pk, "barcode": "7290018664100", "sku": "SKU-2",
                            "quantity": 1})
    assert response.status_code == 302
    response = client.post(reverse("admin:profiles_skumapping_delete", args=[mapping.pk]),
                           {"post": "yes"})
    assert response.status_code == 302
    records = list(SkuMapping.history.filter(id=mapping.pk).order_by("history_date"))
    assert [r.history_type for r in records] == ["+", "~", "-"]
    assert [r.sku for r in records] == ["SKU-1", "SKU-2", "SKU-2"]
    assert all(r.history_user == ada for r in records)
    assert all(started <= r.history_date <= timezone.now() for r in records)


def test_a_deleted_mapping_stays_deleted(client, ada):
    acme = build_client("ACME")
    keep = add_mapping(client, acme, "111", "KEEP")
    gone = add_mapping(client, acme, "222", "GONE")
    client.post(reverse("admin:profiles_skumapping_delete", args=[gone.pk]), {"post": "yes"})
    # Later work on the client's mappings (an edit, an import of other rows) never brings it
    # back, and it is not in the next export.
    client.post(reverse("admin:profiles_skumapping_change", args=[keep.pk]),
                {"client": acme.pk, "barcode": "111", "sku": "KEEP-2", "quantity": 1})
    upload = SimpleUploadedFile("m.csv", b"client,barcode,sku\nACME,333,NEW\n")
    preview = client.post(reverse("admin:profiles_skumapping_import"),
                          {"format": "0", "resource": "0", "import_file": upload})
    client.post(reverse("admin:profiles_skumapping_process_import"),
                preview.context["confirm_form"].initial)
    assert set(SkuMapping.objects.values_list("barcode", "sku")) == {("111", "KEEP-2"),
                                                                     ("333", "NEW")}
    export = client.post(reverse("admin:profiles_skumapping_export"), {
        "format": "0", "resource": "0", "skumappingresource_client": "on",
        "skumappingresource_barcode": "on", "skumappingresource_sku": "on"})
    assert b"222" not in export.content
    # ...while its history still says who deleted it.
    deletion = SkuMapping.history.get(id=gone.pk, history_type="-")
    assert deletion.history_user == ada and deletion.barcode == "222"


def test_imported_rows_are_attributed_to_the_importing_user(client, ada):
    build_client("ACME")
    upload = SimpleUploadedFile("m.csv", b"client,barcode,sku\nACME,444,IMP\n")
    preview = client.post(reverse("admin:profiles_skumapping_import"),
                          {"format": "0", "resource": "0", "import_file": upload})
    client.post(reverse("admin:profiles_skumapping_process_import"),
                preview.context["confirm_form"].initial)
    record = SkuMapping.history.get(barcode="444")
    assert record.history_type == "+" and record.history_user == ada


def test_client_changes_keep_who_and_when_and_show_in_the_admin(client, ada):
    acme = build_client("ACME", "Acme")
    response = client.post(reverse("admin:profiles_client_change", args=[acme.pk]), {
        "name": "Acme Cosmetics", "active": "on",
        "settings-TOTAL_FORMS": "0", "settings-INITIAL_FORMS": "0",
        "courier_deadlines-TOTAL_FORMS": "0", "courier_deadlines-INITIAL_FORMS": "0",
        "column_mappings-TOTAL_FORMS": "0", "column_mappings-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302, response.content[:1500]
    latest = Client.history.filter(id=acme.pk).latest("history_date")
    assert latest.name == "Acme Cosmetics" and latest.history_user == ada
    page = client.get(reverse("admin:profiles_client_history", args=[acme.pk]))
    assert page.status_code == 200 and "ada" in page.content.decode()
