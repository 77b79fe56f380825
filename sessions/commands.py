"""Command barcodes: the station's buttons as codes on a printable sheet (issue 13).

A packer works with the scanner alone: scanning `CMD:SKIP` does exactly what the "Skip order"
button and its key do, with the same approvals. The prefix is a setting
(PACKER_COMMAND_PREFIX, default `CMD:`); a code with it is never looked up as an item
(`profiles.normalize.is_command_code`), and the mapping import refuses it as a barcode.

This is the one list of commands: the station's JavaScript gets it from the page config (code →
command name, label, key) and runs the same function as the button; the command sheet
(sessions.labels.sheets, GET /api/v1/commands/sheet.pdf) prints it.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Command:
    name: str  # what the station's JavaScript runs (the button's function)
    suffix: str  # the code after the prefix
    label: str
    key: str  # the keyboard key of the same action ("" when it has none)


COMMANDS = (
    Command("skip", "SKIP", _("Skip order"), "F2"),
    Command("undo", "UNDO", _("Undo last item"), "F4"),
    Command("end", "END", _("End list"), "F9"),
    Command("release", "RELEASE", _("Pause / release"), "F8"),
    Command("keep_extra", "KEEP-EXTRA", _("Keep extra"), "F6"),
    Command("remove_extra", "REMOVE-EXTRA", _("Remove extra"), "F7"),
    Command("reprint", "REPRINT", _("Reprint label"), "F1"),
    Command("slip", "SLIP", _("Print packing slip"), "Shift+F1"),
    Command("new_box", "NEW-BOX", _("New box"), "F3"),
    Command("problem", "PROBLEM", _("Flag a problem"), "F10"),
    Command("sign_out", "SIGN-OUT", _("Sign out"), ""),
)


def prefix():
    return settings.PACKER_COMMAND_PREFIX


def code_of(command):
    return f"{prefix()}{command.suffix}"


def command_for(code):
    """The Command a scanned code stands for (any case, spaces trimmed), or None."""
    text = str(code or "").strip().upper()
    return next((c for c in COMMANDS if code_of(c).upper() == text), None)


def client_config():
    """{"prefix", "codes": {CODE: name}, "list": [{"name", "code", "label", "key"}]} for the
    station's JavaScript, in the active language."""
    return {
        "prefix": prefix(),
        "codes": {code_of(c).upper(): c.name for c in COMMANDS},
        "list": [{"name": c.name, "code": code_of(c), "label": str(c.label), "key": c.key}
                 for c in COMMANDS],
    }
