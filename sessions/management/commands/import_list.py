"""manage.py import_list --client CODE PATH [--json] [--map Order_Number=Col,...]

Imports an Excel/CSV file, a packing-list JSON, a Shopify Tool session folder or its zip for a
client (for IT and scripts; the names and flags are stable). A bad file exits non-zero with
every error on stderr and creates nothing.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sessions.errors import MappingRequired, PackingError
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
        except PackingError as exc:
            for error in exc.details.get("errors", []):
                self.stderr.write(describe(error))
            raise CommandError(exc.message) from exc
        self.report(result, options["json"])

    def run_import(self, client, path, options):
        return import_file(client, path, mapping=parse_map_option(options["map"]) or None,
                           list_name=options["name"] or None,
                           session_external_id=options["session"] or None)

    def report(self, result, as_json):
        if as_json:
            self.stdout.write(json.dumps({"session": result.session.pk, "lists": result.lists},
                                         ensure_ascii=False))
            return
        self.stdout.write(f"Session {result.session.external_id} (id {result.session.pk})"
                          + ("" if result.created_session else " — already there"))
        for item in result.lists:
            self.stdout.write(f"  + {item['name']} (id {item['id']}): {item['orders']} orders, "
                              f"{item['lines']} lines, {item['units']} units")
        for name in result.skipped_lists:
            self.stdout.write(f"  = {name}: already imported, left unchanged")
