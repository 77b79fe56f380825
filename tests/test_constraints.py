"""The database itself refuses what must never happen (design.md, The data; scenario 35).

Each rule is checked twice where it has a user-facing side: the model validation message a
form would show, and the database constraint hit by a raw insert/update that bypasses Python.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from profiles.models import Client, SkuMapping
from sessions.models import Order, OrderItem, PackingList, ScanEvent
from tests.builders import (
    add_order,
    build_client,
    build_list,
    build_mapping,
    build_station,
    build_worker,
)

pytestmark = pytest.mark.django_db

VALID_CODES = ["M", "CLIENT1", "A_B", "TOOLONGID1"]
INVALID_CODES = {
    "": "cannot be blank",
    "ELEVENCHARS": "at most 10",
    "CLIENT_M": "may not start with 'CLIENT_'",
    "CON": "reserved device name",
    "com1": "capital letters",
    "m": "capital letters",
    "M-1": "capital letters",
}


def refused_by_db(fn):
    """Run fn in a savepoint and say whether the database refused it."""
    try:
        with transaction.atomic():
            fn()
    except (IntegrityError, DataError):
        return True
    return False


def raw_insert_client(code):
    table = Client._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (code, name, active, created_at) VALUES (%s, %s, %s, %s)",
            [code, "raw", True, timezone.now()],
        )


# --- client codes (scenario 35) ----------------------------------------------------------------

@pytest.mark.parametrize("code", VALID_CODES)
def test_valid_client_codes_pass_validation_and_the_database(code):
    Client(code=code, name="x").full_clean()
    assert not refused_by_db(lambda: raw_insert_client(code))


@pytest.mark.parametrize("code,words", INVALID_CODES.items())
def test_invalid_client_codes_get_a_clear_message(code, words):
    with pytest.raises(ValidationError) as info:
        Client(code=code, name="x").full_clean()
    assert words in " ".join(info.value.message_dict["code"])


@pytest.mark.parametrize("code", list(INVALID_CODES) + ["COM1", "LPT9", "NUL", "AUX", "PRN"])
def test_invalid_client_codes_are_refused_by_the_database_on_insert(code):
    assert refused_by_db(lambda: raw_insert_client(code))
    assert not Client.objects.filter(code=code).exists()


@pytest.mark.parametrize("code", ["CLIENT_X", "CON", "m", "A B"])
def test_invalid_client_codes_are_refused_by_the_database_on_update(code):
    client = build_client("OK1")
    assert refused_by_db(lambda: Client.objects.filter(pk=client.pk).update(code=code))
    client.refresh_from_db()
    assert client.code == "OK1"


# --- orders and items --------------------------------------------------------------------------

def test_order_numbers_are_unique_per_list_after_normalisation():
    packing_list = build_list({"#1001": [("SKU-A", 1)]})
    duplicate = Order(packing_list=packing_list, number="1001", normalized_number="1001")
    with pytest.raises(ValidationError) as info:
        duplicate.validate_constraints()
    assert "same number" in str(info.value)
    assert refused_by_db(duplicate.save)
    # The same number in another list is fine.
    other = build_list()
    add_order(other, "1001", [("SKU-A", 1)])


def test_order_number_may_not_normalise_to_nothing():
    packing_list = build_list()
    assert refused_by_db(lambda: Order.objects.create(
        packing_list=packing_list, number="#!", normalized_number=""))


def test_packed_never_goes_below_zero_or_above_required():
    packing_list = build_list({"A-1": [("SKU-A", 2)]})
    item = OrderItem.objects.get(order__packing_list=packing_list)
    items = OrderItem.objects.filter(pk=item.pk)
    assert refused_by_db(lambda: items.update(packed=-1))
    assert refused_by_db(lambda: items.update(packed=F("required") + 1))
    assert not refused_by_db(lambda: items.update(packed=2))
    item.refresh_from_db()
    assert item.packed == 2


def test_a_completed_order_has_a_completion_time():
    packing_list = build_list({"A-1": [("SKU-A", 1)]})
    orders = Order.objects.filter(packing_list=packing_list)
    assert refused_by_db(lambda: orders.update(status="completed"))
    assert refused_by_db(lambda: orders.update(status="lost"))
    assert not refused_by_db(lambda: orders.update(status="completed", completed_at=timezone.now()))


# --- scan log ----------------------------------------------------------------------------------

def test_client_scan_id_is_unique_per_list():
    first, second = build_list(), build_list()
    ScanEvent.objects.create(packing_list=first, outcome="item_ok", scan_id="s-1")
    assert refused_by_db(
        lambda: ScanEvent.objects.create(packing_list=first, outcome="item_ok", scan_id="s-1")
    )
    # Another list may use the same id, and events without an id are unlimited.
    ScanEvent.objects.create(packing_list=second, outcome="item_ok", scan_id="s-1")
    ScanEvent.objects.create(packing_list=first, outcome="item_ok")
    ScanEvent.objects.create(packing_list=first, outcome="item_ok")
    assert refused_by_db(
        lambda: ScanEvent.objects.create(packing_list=first, outcome="item_ok", scan_id="")
    )


def test_scan_events_are_append_only():
    event = ScanEvent.objects.create(packing_list=build_list(), outcome="item_ok", raw_code="A")
    event.outcome = "unknown_item"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    event.refresh_from_db()
    assert event.outcome == "item_ok"


# --- mappings ----------------------------------------------------------------------------------

def test_a_barcode_is_mapped_once_per_client_after_normalisation():
    client, other = build_client(), build_client()
    build_mapping(client, "729-0018-664100", "SKU-1")
    duplicate = SkuMapping(client=client, barcode="7290018664100", sku="SKU-2")
    with pytest.raises(ValidationError) as info:
        duplicate.full_clean()
    assert "already mapped" in str(info.value)
    assert refused_by_db(duplicate.save)
    # Another client may map the same barcode; one SKU may have many barcodes.
    build_mapping(other, "7290018664100", "SKU-9")
    build_mapping(client, "7290018664101", "SKU-1")


def test_a_mapping_needs_a_barcode_with_a_letter_or_digit_and_a_sku():
    client = build_client()
    with pytest.raises(ValidationError) as info:
        SkuMapping(client=client, barcode="--", sku="SKU-1").full_clean()
    assert "letter or digit" in str(info.value)
    assert refused_by_db(lambda: SkuMapping.objects.create(client=client, barcode="--", sku="X"))
    assert refused_by_db(lambda: SkuMapping.objects.create(client=client, barcode="123", sku=""))


# --- claims ------------------------------------------------------------------------------------

def test_claim_columns_are_all_or_nothing():
    packing_list = build_list()
    worker, station = build_worker(), build_station()
    lists = PackingList.objects.filter(pk=packing_list.pk)
    assert refused_by_db(lambda: lists.update(holder=worker))
    assert refused_by_db(lambda: lists.update(holder=worker, station=station))
    now = timezone.now()
    full = dict(holder=worker, station=station, claim_token="6f1c1c36-1d2b-4a53-9c55-3f0f3c0c1a11",
                claimed_at=now, heartbeat_at=now)
    assert not refused_by_db(lambda: lists.update(**full))
    assert refused_by_db(lambda: lists.update(heartbeat_at=None))


def test_one_station_holds_one_list():
    worker, station = build_worker(), build_station()
    now = timezone.now()
    first, second = build_list(), build_list()
    PackingList.objects.filter(pk=first.pk).update(
        holder=worker, station=station, claim_token="6f1c1c36-1d2b-4a53-9c55-3f0f3c0c1a12",
        claimed_at=now, heartbeat_at=now)
    assert refused_by_db(lambda: PackingList.objects.filter(pk=second.pk).update(
        holder=worker, station=station, claim_token="6f1c1c36-1d2b-4a53-9c55-3f0f3c0c1a13",
        claimed_at=now, heartbeat_at=now))
