"""Imports never create the same work twice: the one rule, applied to every importer's lists
just before they are written (sessions.imports.dispatch hands every import a Guard).

- **An identical file or push** (same client, same SHA-256 of its content) is not imported
  again: `dispatch` finds its ImportRecord and answers with it (`duplicate_of`).
- **Orders already in a list of the client that has not ended** refuse the import
  (DuplicateOrders, 409 `duplicate_orders` with every overlapping order), unless the caller
  explicitly chose one of the two ways through:
  - `new_only`: import only the orders that are not there yet;
  - `replace`: replace the overlapping lists, allowed only when none of them was started
    (never claimed, nothing packed); the replaced lists are logged in the ImportRecord and
    in the server log.
- **Orders of ended lists** may come again: they are imported as re-ships (`reship_of`).
- **A preview** (the web import's step before saving) runs every check and stops before
  anything is written, with orders, lines, units, couriers and overlaps.

The check runs inside the importer's transaction under a row lock on the client (taken after
the importer's own session lock, always in that order), so two imports of overlapping files at
once cannot both pass it: the second waits, then sees the first one's orders.
"""

import hashlib
import json
import logging
from collections import Counter
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from profiles.models import Client
from profiles.normalize import normalize_order_number
from sessions.errors import DuplicateOrders, ImportRejected, ReplaceRefused
from sessions.models import ImportRecord, Order, PackingList, PackingSession
from sessions.reads.payloads import iso

logger = logging.getLogger(__name__)

NEW_ONLY = "new_only"
REPLACE = "replace"
CHOICES = (NEW_ONLY, REPLACE)
OVERLAPS_SHOWN = 1000  # orders listed in a refusal (the count says how many there are)
QUERY_CHUNK = 500  # order numbers per IN (…) query


def digest(data):
    """SHA-256 (hex) of bytes, or of a JSON value written canonically (sorted keys)."""
    if not isinstance(data, bytes):
        data = json.dumps(data, sort_keys=True, ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def folder_digest(files):
    """SHA-256 of a session folder's files the import reads (sessions.imports.archive)."""
    sha = hashlib.sha256()
    parts = [("session_info.json", files.session_info), ("analysis", files.analysis or b"")]
    # A list file's bytes are read when asked for (SessionFiles.lists), one file at a time.
    parts += [(name, read()) for name, read in sorted(files.lists.items())]
    for name, content in parts:
        sha.update(name.encode("utf-8") + b"\0" + content + b"\0")
    return sha.hexdigest()


def duplicate_of(record):
    """What an identical import points back to (the API's `duplicate_of`)."""
    return {
        "import": record.pk,
        "session": record.session_id,
        "session_external_id": record.session.external_id,
        "lists": [{"id": pl.pk, "name": pl.name} for pl in record.lists.order_by("pk")],
        "source_name": record.source_name,
        "imported_at": iso(record.created_at),
        "by": record.created_by.get_username() if record.created_by_id else None,
    }


def earlier_import(client, content_hash):
    if not content_hash:
        return None
    return (ImportRecord.objects.filter(client=client, content_hash=content_hash)
            .select_related("session", "created_by").first())


class PreviewReady(Exception):
    """Raised by a preview Guard where the import would write: carries the preview."""

    def __init__(self, preview):
        self.preview = preview
        super().__init__("preview")


@dataclass
class Guard:
    """What the caller decided for this import, and what the check found."""

    client: object
    content_hash: str = ""
    source_name: str = ""
    user: object = None
    choice: str = ""
    preview: bool = False
    details: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.choice not in ("", *CHOICES):
            raise ImportRejected([{"row": None, "column": "on_duplicates", "message": _(
                "Choose how to handle orders already in a list: %(choices)s.")
                % {"choices": ", ".join(CHOICES)}}])

    # -- the check ---------------------------------------------------------------------------

    def admit(self, specs, *, into=None):
        """The specs to write, after the duplicate rule (inside the importer's transaction).

        Refuses overlaps with not-ended lists unless a way through was chosen, drops or
        replaces them as chosen, marks re-ships, and in preview stops here.
        """
        # One import of a client at a time from here to its commit: two overlapping files
        # arriving together cannot both find the other's orders missing.
        Client.objects.select_for_update().filter(pk=self.client.pk).values_list("pk").first()
        numbers = {normalize_order_number(o.number) for spec in specs for o in spec.orders}
        rows = self._existing(numbers)
        open_rows = [r for r in rows if r["packing_list__status"] != PackingList.Status.COMPLETED]
        overlaps = self._overlaps(open_rows)
        if self.preview:
            raise PreviewReady(self._preview(specs, overlaps, open_rows, rows))
        if overlaps and not self.choice:
            raise self._refusal(overlaps)
        taken = {r["normalized_number"] for r in open_rows}
        if overlaps and self.choice == NEW_ONLY:
            specs = self._only_new(specs, taken)
        elif overlaps and self.choice == REPLACE:
            self._replace({r["packing_list_id"] for r in open_rows}, into)
        self._mark_reships(specs, rows)
        return specs

    def _existing(self, numbers):
        """This client's orders with these normalised numbers, newest first."""
        found = []
        ordered = sorted(numbers)
        for start in range(0, len(ordered), QUERY_CHUNK):
            found += list(
                Order.objects.filter(packing_list__session__client=self.client,
                                     normalized_number__in=ordered[start:start + QUERY_CHUNK])
                .values("id", "number", "normalized_number", "status", "packing_list_id",
                        "packing_list__name", "packing_list__status",
                        "packing_list__session__external_id")
            )
        found.sort(key=lambda r: -r["id"])
        return found

    @staticmethod
    def _overlaps(open_rows):
        """The refusal's list: {number, session, list, status} per overlapping order."""
        return [{"number": r["number"], "session": r["packing_list__session__external_id"],
                 "list": r["packing_list__name"], "list_id": r["packing_list_id"],
                 "status": r["status"]}
                for r in sorted(open_rows, key=lambda r: (r["packing_list_id"], r["id"]))]

    def _refusal(self, overlaps):
        count = len(overlaps)
        lists = sorted({(o["session"], o["list"]) for o in overlaps})
        message = ngettext(
            "%(count)d order of this file is already in a packing list that has not ended "
            "(%(lists)s). Import only the new orders, or replace that list if it was not "
            "started.",
            "%(count)d orders of this file are already in packing lists that have not ended "
            "(%(lists)s). Import only the new orders, or replace those lists if they were not "
            "started.", count,
        ) % {"count": count, "lists": ", ".join(f"{s} / {name}" for s, name in lists)}
        return DuplicateOrders(message, orders=overlaps[:OVERLAPS_SHOWN], count=count,
                               choices=list(CHOICES),
                               replaceable=self._replaceable({o["list_id"] for o in overlaps}))

    @staticmethod
    def _replaceable(list_ids):
        """True when none of these lists was started: never claimed, nothing packed."""
        lists = PackingList.objects.filter(pk__in=list_ids)
        started = lists.exclude(status=PackingList.Status.NOT_STARTED).exists() or \
            lists.filter(claim_token__isnull=False).exists()
        packed = Order.objects.filter(packing_list__in=list_ids) \
            .aggregate(n=Sum("items__packed"))["n"] or 0
        return not started and not packed

    def _only_new(self, specs, taken):
        left_out, kept = [], []
        for spec in specs:
            fresh = [o for o in spec.orders if normalize_order_number(o.number) not in taken]
            left_out += [o.number for o in spec.orders if o not in fresh]
            spec.orders = fresh
            if fresh:
                kept.append(spec)
        if not kept:
            raise ImportRejected([{"row": None, "column": None, "message": _(
                "Every order of this file is already in a packing list that has not ended: "
                "there is nothing new to import.")}])
        self.details["left_out"] = left_out
        return kept

    def _replace(self, list_ids, into):
        """Delete the overlapping lists (locked first); only if none of them was started."""
        locked = list(PackingList.objects.select_for_update().filter(pk__in=list_ids)
                      .select_related("session").order_by("pk"))
        if not self._replaceable(list_ids):
            raise ReplaceRefused(_(
                "A list with these orders has already been started: it cannot be replaced. "
                "Import only the new orders instead."),
                lists=[{"id": pl.pk, "name": pl.name, "status": pl.status} for pl in locked])
        replaced = []
        for pl in locked:
            replaced.append({"list_id": pl.pk, "name": pl.name,
                             "session": pl.session.external_id,
                             "orders": list(pl.orders.order_by("sequence")
                                            .values_list("number", flat=True))})
        sessions = {pl.session_id for pl in locked} - {getattr(into, "pk", None)}
        # An import whose every list is replaced may be imported again (it no longer exists).
        for record in ImportRecord.objects.filter(lists__in=list_ids).distinct():
            if not record.lists.exclude(pk__in=list_ids).exists():
                record.delete()
        PackingList.objects.filter(pk__in=list_ids).delete()
        PackingSession.objects.filter(pk__in=sessions, lists__isnull=True).delete()
        self.details["replaced"] = replaced
        for entry in replaced:
            logger.warning("import %s replaced list %s (%s / %s, %d orders) by %s",
                           self.source_name, entry["list_id"], entry["session"], entry["name"],
                           len(entry["orders"]), getattr(self.user, "username", None))

    def _mark_reships(self, specs, rows):
        """Orders of ended lists come again: each new order points at the latest one."""
        ended = {}
        for row in rows:  # newest first
            if row["packing_list__status"] == PackingList.Status.COMPLETED:
                ended.setdefault(row["normalized_number"], row["id"])
        count = 0
        for spec in specs:
            for order in spec.orders:
                order.reship_of = ended.get(normalize_order_number(order.number))
                count += order.reship_of is not None
        if count:
            self.details["reships"] = count

    # -- the preview ---------------------------------------------------------------------------

    def _preview(self, specs, overlaps, open_rows, rows):
        taken = {r["normalized_number"] for r in open_rows}
        ended = {r["normalized_number"] for r in rows} - taken
        lists = []
        for spec in specs:
            couriers = Counter(o.courier for o in spec.orders)
            keys = [normalize_order_number(o.number) for o in spec.orders]
            lists.append({
                "name": spec.name, "orders": len(spec.orders),
                "lines": sum(len(o.lines) for o in spec.orders),
                "units": sum(o.units for o in spec.orders),
                "couriers": [{"courier": c, "orders": n} for c, n in couriers.most_common()],
                "overlapping": sum(k in taken for k in keys),
                "reships": sum(k in ended for k in keys),
            })
        return {"lists": lists, "orders": sum(x["orders"] for x in lists),
                "lines": sum(x["lines"] for x in lists),
                "units": sum(x["units"] for x in lists),
                "overlaps": overlaps[:OVERLAPS_SHOWN], "overlap_count": len(overlaps),
                "replaceable": bool(overlaps) and self._replaceable(
                    {o["list_id"] for o in overlaps}),
                "reships": sum(x["reships"] for x in lists)}

    # -- the record ----------------------------------------------------------------------------

    def record(self, session, packing_lists, specs):
        """Keep the import (its hash, what it created, left out or replaced) with the lists."""
        if not self.content_hash:
            return None
        try:
            with transaction.atomic():
                record = ImportRecord.objects.create(
                    client=self.client, content_hash=self.content_hash,
                    source_name=self.source_name[:300], session=session,
                    orders=sum(len(s.orders) for s in specs), choice=self.choice,
                    details=self.details,
                    created_by=self.user if getattr(self.user, "pk", None) else None,
                )
        except IntegrityError:  # the same content imported at this moment by someone else
            raise ImportRejected([{"row": None, "column": None, "message": _(
                "The same file is being imported at this moment; look at the imports before "
                "trying again.")}]) from None
        record.lists.set(packing_lists)
        return record
