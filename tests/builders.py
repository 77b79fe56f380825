"""Quick builders for tests: a client, a session, a packing list with orders and lines, workers,
stations and a claimed list. Shared by every test file (import from tests.builders).

    packing_list = build_list({"ORDER-001": [("SKU-A", 2), ("SKU-B", 1)], "#1001": [("X", 1)]})
    claim = claimed(packing_list)            # worker + station + token
    scan(packing_list.pk, token=claim.token, code="ORDER-001")
"""

import itertools
from dataclasses import dataclass

from django.contrib.auth.models import Group, User

from profiles.models import Client, SkuMapping, Station, Worker
from profiles.normalize import normalize_order_number, normalize_sku
from sessions.claims import claim_list
from sessions.counters import recount
from sessions.models import Order, OrderItem, PackingList, PackingSession

_seq = itertools.count(1)


def build_client(code=None, name=None):
    code = code or f"C{next(_seq)}"
    return Client.objects.get_or_create(code=code, defaults={"name": name or code})[0]


def build_session(client=None, external_id=None):
    client = client or build_client()
    return PackingSession.objects.create(
        client=client, external_id=external_id or f"2025-11-19_{next(_seq)}",
        source=PackingSession.Source.API,
    )


def build_list(orders=None, *, session=None, client=None, name=None):
    """A packing list; `orders` maps order number → [(sku, required) | (sku, required, name)]."""
    session = session or build_session(client)
    packing_list = PackingList.objects.create(
        session=session, name=name or f"List_{next(_seq)}"
    )
    for seq, (number, lines) in enumerate((orders or {}).items(), start=1):
        add_order(packing_list, number, lines, sequence=seq)
    return packing_list


def add_order(packing_list, number, lines, *, sequence=0, courier="DHL"):
    order = Order.objects.create(
        packing_list=packing_list, number=number,
        normalized_number=normalize_order_number(number), sequence=sequence, courier=courier,
    )
    OrderItem.objects.bulk_create([
        OrderItem(
            order=order, line_number=i, sku=line[0], normalized_sku=normalize_sku(line[0]),
            required=line[1], product_name=line[2] if len(line) > 2 else f"Product {line[0]}",
        )
        for i, line in enumerate(lines, start=1)
    ])
    recount([packing_list.pk])  # as an importer does: the list's counters count the new rows
    return order


def build_user(username=None, *, role=None, password=None, **extra):
    """A user; without `password` it has none (hashing is slow and most tests never log in)."""
    username = username or f"user{next(_seq)}"
    user = User.objects.create_user(username=username, password=password, **extra)
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def build_worker(name=None, *, role=None):
    user = build_user(role=role)
    return Worker.objects.create(user=user, display_name=name or f"Worker {user.pk}")


def build_station(name=None):
    return Station.objects.create(name=name or f"PC-{next(_seq)}")


def build_mapping(client, barcode, sku):
    return SkuMapping.objects.create(client=client, barcode=barcode, sku=sku)


@dataclass
class Claim:
    packing_list: PackingList
    worker: Worker
    station: Station

    @property
    def token(self):
        return str(self.packing_list.claim_token)

    @property
    def list_id(self):
        return self.packing_list.pk


# What a station sends with a manual fill (every one names its reason).
FILL = {"reason": "barcode_missing"}


def supervisor_approval(worker=None, method="badge"):
    """A supervisor's approval as the API hands it to the services (already checked)."""
    from sessions.approvals import Approver

    return Approver(worker or build_worker("Sue", role="supervisor"), method)


def claimed(packing_list, *, worker=None, station=None):
    """Claim the list for a (new) worker at a (new) station."""
    worker = worker or build_worker()
    station = station or build_station()
    claimed_list = claim_list(packing_list.pk, worker=worker, station=station)
    return Claim(claimed_list, worker, station)
