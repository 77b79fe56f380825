"""manage.py import_list --client CODE PATH [--json] [--map Order_Number=Col,...]
[--only-new | --replace] [--add-to-open-session]

Imports an Excel/CSV file, a packing-list JSON, a Shopify Tool session folder or its zip for a
client (for IT and scripts; the names and flags are stable). A bad file exits non-zero with
every error on stderr and creates nothing. The same file again says so and exits 0, creating
nothing. A file with orders already in a list that has not ended exits non-zero listing them,
until it is run again with --only-new (import only the other orders) or --replace (replace
those lists, if none of them was started). Each Excel/CSV file (and each packing-list JSON
without a session id) makes its own timestamped session; with --add-to-open-session it joins
the client's open session of today instead (made when there is none).
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sessions.errors import DuplicateOrders, MappingRequired, PackingError
from sessions.imports.dispatch import import_file
from sessions.imports.mapping import parse_map_option
from sessions.reads.references import client_by_code


def describe(error):
    """'file F, row R, column C: message' for one entry of ImportRejected.errors."""
    where = [f"{key} {error[key]}" for key in ("file", "row", "column") if error.get(key)]
    return (", ".join(where) + ": " if where else "") + error.get("message", "")


class Command(BaseCommand):
    help = "Import a packing list (xlsx/xls/csv, packing-list JSON) or a Shopify Tool session."

    def add_arguments(self, parser):
        parser.add_argument("path", help="File, session folder or session .zip")
        parser.add_argument("--client", required=True, help="Client code, e.g. M")
        parser.add_argument("--json", action="store_true", help="Print the result as JSON")
        parser.add_argument("--map", default="",
                            help="Column mapping for Excel/CSV: Order_Number=Col,SKU=Col,…")
        parser.add_argument("--session", default="",
                            help="Session id for a packing-list JSON (default: its session_id)")
        parser.add_argument("--name", default="",
                            help="List name for a packing-list JSON (default: file stem)")
        parser.add_argument("--add-to-open-session", action="store_true",
                            help="Add the list to the client's open session of today instead "
                                 "of a new session (Excel/CSV, or JSON without a session id)")
        choice = parser.add_mutually_exclusive_group()
        choice.add_argument("--only-new", action="store_const", dest="on_duplicates",
                            const="new_only", default="",
                            help="Orders already in a list that has not ended: leave them out")
        choice.add_argument("--replace", action="store_const", dest="on_duplicates",
                            const="replace",
                            help="Orders already in a list that has not ended: replace that "
                                 "list (only if it was not started)")

    def handle(self, *args, **options):
        path = Path(options["path"])
        try:
            client = client_by_code(options["client"])
            result = self.run_import(client, path, options)
        except MappingRequired as exc:
            self.stderr.write(str(exc.message))
            self.stderr.write("Columns of the file: " + ", ".join(exc.details["headers"]))
            self.stderr.write("Missing: " + ", ".join(exc.details["missing"]))
            raise CommandError("Give --map Order_Number=Col,SKU=Col,Product_Name=Col,"
                               "Quantity=Col,Courier=Col") from exc
        except DuplicateOrders as exc:
            for order in exc.details["orders"]:
                self.stderr.write(f"  {order['number']}: {order['session']} / {order['list']} "
                                  f"({order['status']})")
            raise CommandError(exc.message + " Run again with --only-new or --replace.") \
                from exc
        except PackingError as exc:
            for error in exc.details.get("errors", []):
                self.stderr.write(describe(error))
            raise CommandError(exc.message) from exc
        self.report(result, options["json"])

    def run_import(self, client, path, options):
        return import_file(client, path, mapping=parse_map_option(options["map"]) or None,
                           list_name=options["name"] or None,
                           session_external_id=options["session"] or None,
                           on_duplicates=options["on_duplicates"] or "",
                           add_to_open_session=options["add_to_open_session"])

    def report(self, result, as_json):
        if as_json:
            self.stdout.write(json.dumps(result.as_dict() if result.duplicate_of else
                                         {"session": result.session.pk, "lists": result.lists},
                                         ensure_ascii=False))
            return
        if result.duplicate_of:
            first = result.duplicate_of
            self.stdout.write(
                f"Already imported {first['imported_at'][:16].replace('T', ' ')}"
                f"{' by ' + first['by'] if first['by'] else ''} as session "
                f"{first['session_external_id']} (id {first['session']}): "
                + (", ".join(lst["name"] for lst in first["lists"]) or "no new lists")
                + ". Nothing was imported.")
            return
        self.stdout.write(f"Session {result.session.external_id} (id {result.session.pk})"
                          + ("" if result.created_session else " — already there"))
        for item in result.lists:
            self.stdout.write(f"  + {item['name']} (id {item['id']}): {item['orders']} orders, "
                              f"{item['lines']} lines, {item['units']} units")
        for name in result.skipped_lists:
            self.stdout.write(f"  = {name}: already imported, left unchanged")
        if result.details.get("left_out"):
            self.stdout.write(f"  - left out (already in a list): "
                              f"{', '.join(result.details['left_out'])}")
        for replaced in result.details.get("replaced", []):
            self.stdout.write(f"  x replaced list {replaced['session']} / {replaced['name']} "
                              f"(id {replaced['list_id']}, {len(replaced['orders'])} orders)")
        if result.details.get("reships"):
            self.stdout.write(f"  ~ {result.details['reships']} order(s) of ended lists "
                              f"imported again as re-ships")
