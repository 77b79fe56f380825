"""`manage.py demo`: realistic data a new user can sign in to, and a second run changes nothing."""

import io
from collections import Counter

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from profiles.models import Client, CourierDeadline, SkuMapping, Station, Worker
from profiles.roles import role_of
from sessions.demo import ean13
from sessions.models import Order, OrderItem, PackingList, PackingSession

pytestmark = pytest.mark.django_db

MODELS = [Client, CourierDeadline, SkuMapping, Station, Worker, User, PackingSession,
          PackingList, Order, OrderItem, SkuMapping.history.model, Client.history.model]


def run_demo(*args):
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def counts():
    return {model.__name__: model._default_manager.count() for model in MODELS}


def test_demo_twice_creates_once_and_prints_the_credentials_both_times():
    first = run_demo()
    after_first = counts()
    second = run_demo()
    assert counts() == after_first
    assert "Demo data created" in first and "nothing changed" in second
    for output in (first, second):
        for username in ("admin", "supervisor", "packer", "packer2"):
            assert f"{username}-demo" in output
        assert "demonstration only" in output
    assert after_first["Client"] == 1 and after_first["Station"] == 3
    assert after_first["PackingSession"] == 1 and after_first["PackingList"] == 2
    assert after_first["Order"] == 30 and after_first["User"] == 4
    assert after_first["SkuMapping"] >= 10


def test_demo_people_have_their_roles_badges_and_pins():
    run_demo()
    roles = {u.username: role_of(u) for u in User.objects.all()}
    assert roles == {"admin": "admin", "supervisor": "supervisor", "packer": "packer",
                     "packer2": "packer"}
    assert not User.objects.get(username="packer").is_staff
    assert User.objects.get(username="supervisor").is_staff
    packer = Worker.objects.get(user__username="packer")
    assert packer.badge_code and packer.check_pin("1234")
    assert sorted(Station.objects.values_list("name", flat=True)) == [
        "STATION-1", "STATION-2", "STATION-3"]


def test_demo_client_has_settings_deadlines_and_ean13_mappings():
    run_demo()
    demo = Client.objects.get(code="DEMO")
    assert demo.settings.label_dpi == 203
    deadlines = {d.courier: d.deadline.strftime("%H:%M") for d in demo.courier_deadlines.all()}
    assert deadlines["DHL"] == "16:00" and deadlines["Speedy"] == "17:30"
    barcodes = list(SkuMapping.objects.filter(client=demo).values_list("barcode", "sku"))
    assert all(len(code) == 13 and ean13(code[:12]) == code for code, _sku in barcodes)
    per_sku = Counter(sku for _code, sku in barcodes)
    assert per_sku.most_common(1)[0][1] == 2  # two barcodes on one SKU


def test_demo_orders_are_realistic():
    run_demo()
    session = PackingSession.objects.get(client__code="DEMO")
    assert session.source == "shopify" and session.external_id.endswith("_1")
    assert list(session.lists.values_list("name", flat=True)) == ["DHL_Orders", "Speedy_Orders"]
    orders = Order.objects.filter(packing_list__session=session)
    assert {o.courier for o in orders.filter(packing_list__name="DHL_Orders")} == {"DHL"}
    assert {"BG", "RO", "GR", "DE"} <= set(orders.values_list("country", flat=True))
    assert any(o.tags for o in orders) and any(o.notes for o in orders)
    items = OrderItem.objects.filter(order__packing_list__session=session)
    assert items.filter(product_name="Крем за ръце 50 мл").exists()
    assert items.filter(required__gt=1).exists()
    repeated = [o for o in orders
                if len(set(o.items.values_list("sku", flat=True))) < o.items.count()]
    assert repeated, "some order repeats a SKU on two lines"
    mapped = set(SkuMapping.objects.values_list("sku", flat=True))
    assert set(items.values_list("sku", flat=True)) & mapped


def test_the_demo_admin_signs_in_and_sees_the_demo_client_mappings_and_session(client):
    run_demo()
    response = client.post("/admin/login/", {"username": "admin", "password": "admin-demo",
                                             "next": "/admin/"})
    assert response.status_code == 302
    assert "Demo Cosmetics" in client.get("/admin/profiles/client/").content.decode()
    assert client.get("/admin/profiles/skumapping/").context["cl"].result_count >= 10
    page = client.get("/admin/packing_sessions/packingsession/").content.decode()
    assert PackingSession.objects.get().external_id in page


def test_passwords_are_kept_unless_reset_and_demo_password_overrides(monkeypatch):
    run_demo()
    packer = User.objects.get(username="packer")
    packer.set_password("changed-by-hand-1")
    packer.save()
    run_demo()
    packer.refresh_from_db()
    assert packer.check_password("changed-by-hand-1")
    monkeypatch.setenv("DEMO_PASSWORD", "shared-demo-pw")
    output = run_demo("--reset-passwords")
    packer.refresh_from_db()
    assert packer.check_password("shared-demo-pw") and "shared-demo-pw" in output


def test_a_demo_order_packs_completely_with_the_demo_barcodes():
    """The demo is a working floor: claim a list, open an order, pack it by barcode or SKU."""
    from sessions.claims import claim_list
    from sessions.scanning.codes import scan

    run_demo()
    packer = Worker.objects.get(user__username="packer")
    station = Station.objects.get(name="STATION-1")
    packing_list = PackingList.objects.get(name="DHL_Orders")
    token = claim_list(packing_list.pk, worker=packer, station=station).claim_token
    order = packing_list.orders.order_by("sequence").first()
    assert scan(packing_list.pk, token=token, code=order.number)["outcome"] == "order_loaded"
    barcode_of = {}
    for mapping in SkuMapping.objects.order_by("barcode"):
        barcode_of.setdefault(mapping.sku, mapping.barcode)
    answers = [
        scan(packing_list.pk, token=token, code=barcode_of.get(item.sku, item.sku))["outcome"]
        for item in order.items.all() for _unit in range(item.required)
    ]
    assert set(answers[:-1]) <= {"item_ok"} and answers[-1] == "order_complete"
