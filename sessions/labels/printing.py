"""Send ZPL to a label printer over raw TCP (port 9100, the "direct printer integration" the
old app only listed as a wish).

The printer is the station's (a station may stand next to its own printer) or else the
client's. An unreachable printer is a PrinterUnreachable with the address and the reason, never
a hang: every socket operation has settings.PACKER_PRINTER_TIMEOUT_SECONDS.
"""

import socket

from django.conf import settings
from django.utils.translation import gettext as _

from sessions.errors import InvalidRequest, PrinterUnreachable
from sessions.labels.render import list_labels_zpl

DEFAULT_PORT = 9100


def parse_address(address):
    """'host', 'host:port' or '[v6]:port' → (host, port)."""
    text = (address or "").strip()
    if not text:
        raise InvalidRequest(_("No printer address given."))
    if text.startswith("["):
        host, _sep, rest = text[1:].partition("]")
        port = rest.lstrip(":") or str(DEFAULT_PORT)
    elif text.count(":") == 1:
        host, port = text.split(":")
    else:
        host, port = text, str(DEFAULT_PORT)
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InvalidRequest(_("'%(address)s' is not a printer address (host:port).")
                             % {"address": address})
    return host, int(port)


def send_zpl(address, zpl, *, timeout=None):
    """Deliver `zpl` (str or bytes) to the printer at `address`; returns the bytes sent."""
    host, port = parse_address(address)
    payload = zpl.encode("utf-8") if isinstance(zpl, str) else zpl
    timeout = settings.PACKER_PRINTER_TIMEOUT_SECONDS if timeout is None else timeout
    try:
        with socket.create_connection((host, port), timeout=timeout) as conn:
            conn.settimeout(timeout)
            conn.sendall(payload)
            conn.shutdown(socket.SHUT_WR)
    except OSError as exc:
        raise PrinterUnreachable(
            _("The label printer at %(address)s could not be reached: %(reason)s")
            % {"address": f"{host}:{port}", "reason": exc.strerror or exc},
            address=f"{host}:{port}",
        ) from exc
    return len(payload)


def printer_for(packing_list, station=None):
    """The printer address for labels of this list printed at `station` (or the client's)."""
    if station is not None and station.printer_address:
        return station.printer_address
    address = packing_list.session.client.settings_or_default().printer_address
    if not address:
        raise InvalidRequest(_("No label printer is configured for this station or client."))
    return address


def print_list_labels(packing_list, *, station=None, address=None):
    """Send the ZPL labels of every order of the list; returns the number of labels sent."""
    zpl = list_labels_zpl(packing_list)
    send_zpl(address or printer_for(packing_list, station), zpl)
    return zpl.count("^XZ")
