"""The printable command sheet: one Code-128 per station command (sessions.commands), with its
name and key, so a packer can work with the scanner alone (GET /api/v1/commands/sheet.pdf, and
the station's help)."""

from django.utils.translation import gettext as _

from sessions.commands import COMMANDS, code_of
from sessions.labels.pages import Page
from sessions.labels.pdf import images_to_pdf

DPI = 200
COLUMNS = 2


def command_sheet_pdf():
    """PDF bytes of the command sheet (A4, two columns), in the active language."""
    page = Page("a4", DPI)
    page.text(_("Command barcodes"), 56)
    page.text(_("Scan a code at the station: it does what its button and key do."), 30)
    page.rule()
    column = page.inner_width // COLUMNS
    rows = [COMMANDS[i:i + COLUMNS] for i in range(0, len(COMMANDS), COLUMNS)]
    row_height = (page.room() - page.dots(4)) // len(rows)
    top = page.y
    for r, row in enumerate(rows):
        for c, command in enumerate(row):
            page.y = top + r * row_height
            x = page.margin + c * column
            title = str(command.label) + (f"  ({command.key})" if command.key else "")
            page.text(title, 40, x=x, width=column - page.dots(4))
            page.barcode(code_of(command), x=x, max_width=column - page.dots(4),
                         height=page.dots(16))
            page.text(code_of(command), 28, x=x, width=column - page.dots(4))
    return images_to_pdf([page.image], DPI, title=str(_("Command barcodes")))

