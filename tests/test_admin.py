"""Every admin page opens with the demo data loaded; logs stay read-only; workers' PINs."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.urls import reverse

from profiles.models import SkuMapping, Worker
from sessions.demo import load_demo
from sessions.models import ClaimEvent, Order, OrderExtra, PackingList, ScanEvent
from tests.builders import claimed

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    """Demo data plus one claim, one scan event and one extra, so every model has a row."""
    result = load_demo()
    packing_list = PackingList.objects.filter(session=result.session).first()
    claim = claimed(packing_list)
    order = Order.objects.filter(packing_list=packing_list).first()
    ScanEvent.objects.create(packing_list=packing_list, order=order, worker=claim.worker,
                             station=claim.station, raw_code=order.number,
                             outcome="order_loaded", scan_id="demo-1")
    OrderExtra.objects.create(order=order, normalized_sku="dchc050", sku="DC-HC-050", pending=1)
    return result


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def registered_models():
    return sorted(admin.site._registry, key=lambda m: m._meta.label)


def test_every_model_of_the_project_is_in_the_admin():
    from django.apps import apps

    ours = [m for app in ("profiles", "packing_sessions", "stats")
            for m in apps.get_app_config(app).get_models()
            if not m._meta.model_name.startswith("historical")]
    inline_only = {"clientsettings", "courierdeadline", "columnmapping"}
    for model in ours:
        if model._meta.model_name in inline_only:
            continue
        assert model in admin.site._registry, f"{model._meta.label} has no admin"


def test_every_admin_page_opens_for_the_demo_admin(client, demo):
    client.force_login(User.objects.get(username="admin"))
    assert client.get("/admin/").status_code == 200
    for model in registered_models():
        model_admin = admin.site._registry[model]
        label = model._meta.label
        response = client.get(url(model, "changelist"))
        assert response.status_code == 200, label
        response = client.get(url(model, "changelist"), {"q": "DEMO"})
        assert response.status_code == 200, f"{label} search"
        if model_admin.has_add_permission(_request_for("admin")):
            assert client.get(url(model, "add")).status_code == 200, f"{label} add"
        obj = model._default_manager.first()
        if obj is not None:
            response = client.get(url(model, "change", obj.pk))
            assert response.status_code == 200, f"{label} change"
            if hasattr(model, "history"):
                assert client.get(url(model, "history", obj.pk)).status_code == 200


def _request_for(username):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(username=username)
    return request


def test_supervisor_opens_every_list_and_page_of_the_domain(client, demo):
    supervisor = User.objects.get(username="supervisor")
    assert supervisor.is_staff and not supervisor.is_superuser
    client.force_login(supervisor)
    for model in registered_models():
        if model._meta.app_label not in ("profiles", "packing_sessions"):
            continue
        assert client.get(url(model, "changelist")).status_code == 200, model._meta.label
        obj = model._default_manager.first()
        if obj is not None:
            assert client.get(url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", [ScanEvent, ClaimEvent])
def test_scan_and_claim_logs_are_read_only_even_for_a_superuser(client, demo, model):
    client.force_login(User.objects.get(username="admin"))
    event = model.objects.first()
    assert client.get(url(model, "add")).status_code == 403
    assert client.post(url(model, "change", event.pk), {"reason": "x"}).status_code == 403
    assert client.post(url(model, "delete", event.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=event.pk).exists()


def test_order_admin_shows_lines_and_cyrillic_names(client, demo):
    client.force_login(User.objects.get(username="admin"))
    order = Order.objects.filter(items__product_name="Крем за ръце 50 мл").first()
    response = client.get(url(Order, "change", order.pk))
    assert "Крем за ръце 50 мл" in response.content.decode()


def test_mapping_search_finds_by_barcode_and_sku(client, demo):
    client.force_login(User.objects.get(username="supervisor"))
    mapping = SkuMapping.objects.get(sku="DC-SH-250")
    response = client.get(url(SkuMapping, "changelist"), {"q": mapping.barcode[-6:]})
    assert mapping.barcode in response.content.decode()
    response = client.get(url(SkuMapping, "changelist"), {"q": "DC-HC-050"})
    assert response.context["cl"].result_count == 2


def worker_post(worker, **extra):
    data = {"user": worker.user_id, "display_name": worker.display_name,
            "badge_code": worker.badge_code or "", "legacy_id": worker.legacy_id or ""}
    data.update(extra)
    return data


def test_worker_pin_is_set_cleared_and_validated_in_the_admin(client, demo):
    client.force_login(User.objects.get(username="admin"))
    worker = Worker.objects.get(user__username="packer2")
    change = url(Worker, "change", worker.pk)
    assert client.post(change, worker_post(worker, pin="4321")).status_code == 302
    worker.refresh_from_db()
    assert worker.check_pin("4321") and "4321" not in worker.pin_hash
    response = client.post(change, worker_post(worker, pin="12"))
    assert response.status_code == 200 and "4 to 8 digits" in response.content.decode()
    assert client.post(change, worker_post(worker, clear_pin="on")).status_code == 302
    worker.refresh_from_db()
    assert worker.pin_hash == "" and not worker.check_pin("4321")
    # An empty badge is stored as NULL, so many workers may have none.
    assert client.post(change, worker_post(worker, badge_code="")).status_code == 302
    worker.refresh_from_db()
    assert worker.badge_code is None
