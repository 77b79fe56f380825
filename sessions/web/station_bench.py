"""What the station's bench tools need from the server (static/js/station_bench.js): command
barcodes, printing (on completion, reprint, packing slip) and boxes. Kept apart from the
station's own config (sessions/web/station.py) so each can change on its own."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from sessions import commands

ID = 999999999  # an order's id goes in place of this number


def bench_config(client_settings):
    return {
        "commands": commands.client_config(),
        "printUrl": reverse("api-order-print", args=[ID]),
        "slipUrl": reverse("api-order-slip", args=[ID]),
        "sheetUrl": reverse("api-command-sheet"),
        "signOutUrl": reverse("logout"),
        "printOnComplete": client_settings.print_on_complete,
        # Without a report from the server by then, the station offers "Reprint".
        "confirmSeconds": settings.PACKER_PRINTER_TIMEOUT_SECONDS * 2 + 10,
        "strings": {
            "reprint": _("Reprint"),
            "printing": _("Printing %(what)s of order %(number)s…"),
            "printed": _("Sent to the printer: %(what)s of order %(number)s."),
            "printFailed": _("Printing failed"),
            "printUnconfirmed": _("The printer did not confirm order %(number)s: check it, or "
                                  "reprint."),
            "nothingToPrint": _("No open or completed order to print."),
            "unknownCommand": _("Unknown command %(code)s: see the command sheet."),
            "command": _("Command"),
            "label": _("label"),
            "slip": _("packing slip"),
            "labelAndSlip": _("label and packing slip"),
            "boxes": _("Boxes"),
            "box": _("Box %(n)s"),
            "boxOpen": _("open"),
            "units": _("%(n)s units"),
            "noOrder": _("No order is open."),
        },
    }
