"""Demo data, so that a new user sees a working floor right after setup (`manage.py demo`).

Idempotent: every row is found by a natural key (client code, username, station name, barcode,
the demo session's marker) and only created when missing, so a second run changes nothing.
Passwords are set only when a user is created (or with reset_passwords): a demo password
changed by hand is not silently put back.

The passwords are for demonstration only: `<username>-demo`, or DEMO_PASSWORD for all of them.
Never run this against a production database.
"""

import os
import random
from dataclasses import dataclass, field
from datetime import time

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from profiles.models import Client, CourierDeadline, SkuMapping, Station, Worker
from profiles.normalize import normalize_order_number, normalize_sku
from profiles.roles import ADMIN, PACKER, SUPERVISOR, assign_role, sync_role_groups
from sessions.counters import recount
from sessions.models import Order, OrderItem, PackingList, PackingSession

CLIENT_CODE = "DEMO"
CLIENT_NAME = "Demo Cosmetics"
DEADLINES = [("DHL", time(16, 0)), ("Speedy", time(17, 30)), ("Econt", time(18, 0))]
STATIONS = ["STATION-1", "STATION-2", "STATION-3"]

# username, role, display name, badge code, PIN
PEOPLE = [
    ("admin", ADMIN, "Admin", None, None),
    ("supervisor", SUPERVISOR, "Мария Иванова", "BADGE-0100", None),
    ("packer", PACKER, "Георги Петров", "BADGE-0001", "1234"),
    ("packer2", PACKER, "Елена Димитрова", "BADGE-0002", "5678"),
]

# SKU, product name, EAN-13 bodies (12 digits; the check digit is computed). DC-HC-050 has two
# barcodes (old and new packaging); DC-SC-050 has none, so packers scan its SKU label.
PRODUCTS = [
    ("DC-HC-050", "Крем за ръце 50 мл", ["380123450001", "380123450101"]),
    ("DC-SH-250", "Шампоан за суха коса 250 мл", ["380123450002"]),
    ("DC-SH-400", "Шампоан против пърхот 400 мл", ["380123450003"]),
    ("DC-BL-200", "Балсам за коса 200 мл", ["380123450004"]),
    ("DC-FC-030", "Серум за лице с витамин C 30 мл", ["380123450005"]),
    ("DC-LB-004", "Балсам за устни 4 г", ["380123450006"]),
    ("DC-SG-300", "Душ гел Лавандула 300 мл", ["380123450007"]),
    ("DC-DO-050", "Дезодорант рол-он 50 мл", ["380123450008"]),
    ("DC-MC-100", "Мицеларна вода 100 мл", ["380123450009"]),
    ("DC-SC-050", "Слънцезащитен крем SPF 50", []),
]

LISTS = [("DHL_Orders", "DHL", 1001), ("Speedy_Orders", "Speedy", 2001)]
ORDERS_PER_LIST = 15
COUNTRIES = ["BG", "BG", "RO", "GR", "DE"]
TAGS = ["VIP", "Gift", "Fragile", "Repeat customer", "Priority"]
NOTES = ["", "", "", "Моля, опаковайте като подарък.", "Оставете при съседа, ако няма никой.",
         "Please add a sample."]
BOXES = ["S", "M", "L"]
SOURCE_COLUMNS = ["Order_Number", "SKU", "Product_Name", "Quantity", "Courier",
                  "Shipping_Country", "Tags", "Notes"]


def ean13(body):
    """A 12-digit body plus its EAN-13 check digit, so the codes scan on real scanners."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def demo_password(username):
    return os.environ.get("DEMO_PASSWORD") or f"{username}-demo"


@dataclass
class DemoResult:
    created: dict = field(default_factory=dict)
    credentials: list = field(default_factory=list)
    session: PackingSession | None = None

    def count(self, what, created):
        self.created[what] = self.created.get(what, 0) + (1 if created else 0)


@transaction.atomic
def load_demo(reset_passwords=False):
    """Create whatever demo data is missing; returns what was created and the credentials."""
    result = DemoResult()
    sync_role_groups()
    client = _client(result)
    _people(result, reset_passwords)
    for name in STATIONS:
        _station, created = Station.objects.get_or_create(
            name=name, defaults={"description": f"Packing table {name[-1]}"}
        )
        result.count("stations", created)
    _mappings(client, result)
    result.session = _session(client, result)
    return result


def _client(result):
    client, created = Client.objects.get_or_create(
        code=CLIENT_CODE, defaults={"name": CLIENT_NAME}
    )
    result.count("clients", created)
    client.settings_or_default()
    for courier, deadline in DEADLINES:
        _obj, created = CourierDeadline.objects.get_or_create(
            client=client, courier=courier, defaults={"deadline": deadline}
        )
        result.count("courier deadlines", created)
    return client


def _people(result, reset_passwords):
    for username, role, display_name, badge, pin in PEOPLE:
        user, created = User.objects.get_or_create(username=username)
        if created or reset_passwords:
            user.set_password(demo_password(username))
            user.is_superuser = role == ADMIN
            user.save()
        assign_role(user, role)
        worker, worker_created = Worker.objects.get_or_create(
            user=user, defaults={"display_name": display_name, "badge_code": badge}
        )
        if pin and (worker_created or reset_passwords):
            worker.set_pin(pin)
            worker.save(update_fields=["pin_hash"])
        result.count("users", created)
        result.count("workers", worker_created)
        result.credentials.append({
            "username": username, "password": demo_password(username), "role": role,
            "badge": badge, "pin": pin, "password_set_now": created or reset_passwords,
        })


def _mappings(client, result):
    for sku, _name, bodies in PRODUCTS:
        for body in bodies:
            _obj, created = SkuMapping.objects.get_or_create(
                client=client, barcode=ean13(body), defaults={"sku": sku}
            )
            result.count("SKU mappings", created)


def _session(client, result):
    """The demo session (found by its marker, whatever day it was created on)."""
    session = PackingSession.objects.filter(client=client, info__demo=True).first()
    result.count("sessions", session is None)
    if session is not None:
        return session
    today = timezone.localdate()
    session = PackingSession.objects.create(
        client=client, external_id=f"{today:%Y-%m-%d}_1", source=PackingSession.Source.SHOPIFY,
        info={"demo": True, "note": "Created by manage.py demo"},
    )
    rng = random.Random(20251119)  # the same orders on every machine
    for position, (name, courier, first_number) in enumerate(LISTS):
        packing_list = PackingList.objects.create(
            session=session, name=name, position=position, source_file=f"{name}.json",
            source_columns=SOURCE_COLUMNS,
        )
        for seq in range(ORDERS_PER_LIST):
            _order(packing_list, rng, seq, courier, f"#{first_number + seq}")
            result.count("orders", True)
        recount([packing_list.pk])
    return session


def _order(packing_list, rng, seq, courier, number):
    """One realistic order; every fourth order repeats a SKU on two lines."""
    products = rng.sample(PRODUCTS, rng.randint(1, 4))
    lines = [(sku, name, rng.choice([1, 1, 2, 3])) for sku, name, _codes in products]
    if seq % 4 == 1:
        sku, name, _qty = lines[0]
        lines.append((sku, name, 1))
    country = COUNTRIES[seq % len(COUNTRIES)]
    order = Order.objects.create(
        packing_list=packing_list, number=number,
        normalized_number=normalize_order_number(number), sequence=seq + 1, courier=courier,
        country=country, order_type="single" if len(lines) == 1 else "multi",
        tags=rng.sample(TAGS, rng.randint(0, 2)), internal_tags=["demo"],
        notes=rng.choice(NOTES), box=rng.choice(BOXES),
        metadata={"shipping_country": country, "source": "demo"},
    )
    OrderItem.objects.bulk_create([
        OrderItem(
            order=order, line_number=i, source_row=None, sku=sku, normalized_sku=normalize_sku(sku),
            product_name=name, required=qty, extra_columns={"Vendor": "Demo Cosmetics"},
        )
        for i, (sku, name, qty) in enumerate(lines, start=1)
    ])
    return order
