"""ORM builders for the metrics, report and end-of-list tests.

They write rows directly (orders with chosen timestamps, scan events at chosen moments) so the
figures under test are known exactly and do not depend on the scanning engine.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import Group, User

from profiles.models import Client, Station, Worker
from profiles.normalize import normalize_order_number, normalize_sku
from sessions.counters import recount
from sessions.models import Order, OrderItem, PackingList, PackingSession, ScanEvent

TZ = ZoneInfo(settings.TIME_ZONE)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)  # a Monday morning, local time


def make_worker(name="Dolphin", *, supervisor=False):
    user = User.objects.create_user(username=name.lower(), password="pw-" + name)
    if supervisor:
        user.groups.add(Group.objects.get_or_create(name="supervisor")[0])
    return Worker.objects.create(user=user, display_name=name)


def make_station(name="PC1"):
    return Station.objects.create(name=name)


def make_list(client_code="M", session_id="2026-03-02_1", name="DHL_Orders", columns=None):
    client = Client.objects.get_or_create(code=client_code, defaults={"name": client_code})[0]
    session = PackingSession.objects.get_or_create(
        client=client, external_id=session_id, defaults={"source": "excel"})[0]
    return PackingList.objects.create(
        session=session, name=name, source_columns=columns or [], status="in_progress",
        started_at=T0,
    )


def make_order(plist, number, lines, *, seq=None, status="new", started=None, first_item=None,
               completed=None, worker=None, station=None, courier="DHL", **counters):
    """An order with lines [(sku, required, packed, extra_columns?)]."""
    order = Order.objects.create(
        packing_list=plist, number=number, normalized_number=normalize_order_number(number),
        sequence=seq if seq is not None else plist.orders.count() + 1, courier=courier,
        status=status, started_at=started, first_item_at=first_item, completed_at=completed,
        completed_by=worker if completed else None,
        completed_station=station if completed else None,
        **counters,
    )
    for n, line in enumerate(lines, start=1):
        sku, required, packed = line[:3]
        extra = line[3] if len(line) > 3 else {}
        OrderItem.objects.create(
            order=order, line_number=n, source_row=None, sku=sku, normalized_sku=normalize_sku(sku),
            product_name=f"Product {sku}", required=required, packed=packed, extra_columns=extra,
        )
    recount([plist.pk])  # the list's counters count the rows written here
    return order


def scan(plist, at, *, code="x", outcome="item_ok", order=None, worker=None, station=None,
         action="scan", quantity=0):
    event = ScanEvent.objects.create(
        packing_list=plist, order=order, worker=worker, station=station, action=action,
        raw_code=code, outcome=outcome, quantity=quantity, created_at=at,
    )
    recount([plist.pk])  # a wrong scan counts on the list
    return event


def minutes(n):
    return timedelta(minutes=n)
