"""Look-ups shared by the API, pages and commands that turn a user's reference into a row."""

from django.utils.translation import gettext as _

from profiles.models import CLIENT_CODE_RE, Client, Station, Worker
from profiles.normalize import normalize_sku
from sessions.errors import NotFound
from sessions.models import OrderItem


def station_by_ref(ref):
    """An active station by id or by name (the terminal's configured name)."""
    ref = str(ref or "").strip()
    if not ref:
        raise NotFound(_("A station is required."))
    if "\x00" in ref:  # no station has one, and PostgreSQL refuses it in a query
        raise NotFound(_("Unknown station: %(ref)s") % {"ref": ref.replace("\x00", "\\0")})
    qs = Station.objects.filter(active=True)
    # ASCII digits only: "²" is a digit to str.isdigit() but no number to int().
    station = qs.filter(pk=int(ref)).first() if ref.isascii() and ref.isdigit() else None
    station = station or qs.filter(name__iexact=ref).first()
    if station is None:
        raise NotFound(_("Unknown station: %(ref)s") % {"ref": ref})
    return station


def worker_by_ref(ref):
    """A worker with a floor role, by id."""
    ref = str(ref or "").strip()
    worker = None
    if ref.isascii() and ref.isdigit():
        worker = Worker.objects.filter(pk=int(ref), user__is_active=True) \
            .select_related("user").first()
    if worker is None:
        raise NotFound(_("Unknown worker: %(ref)s") % {"ref": ref.replace("\x00", "\\0")})
    return worker


def client_by_code(code):
    """A client by its code (case-insensitive, as typed on a command line). Text that cannot be
    a client code (a NUL, 300 characters) is not looked up: it is simply unknown."""
    wanted = str(code or "").strip().upper()
    client = Client.objects.filter(code=wanted).first() if CLIENT_CODE_RE.match(wanted) else None
    if client is None:
        raise NotFound(_("Unknown client: %(code)s") % {"code": code})
    return client


def product_name(client_id, sku):
    """A product name the client's lists give this SKU ("" when none does), for dialogs that
    must show what a SKU is, e.g. the old and the new SKU of a barcode's mapping."""
    return (OrderItem.objects.filter(normalized_sku=normalize_sku(sku),
                                     order__packing_list__session__client_id=client_id)
            .exclude(product_name="").order_by("-id").values_list("product_name", flat=True)
            .first()) or ""


def known_product(client_id, normalized_sku):
    """{"sku", "product_name"} of a SKU the client's lists know (newest line first), or None:
    a wrong item at the station is named ("Wrong item: <name> (<SKU>) is not in this order")."""
    if not normalized_sku:
        return None
    row = (OrderItem.objects.filter(normalized_sku=normalized_sku,
                                    order__packing_list__session__client_id=client_id)
           .exclude(product_name="").order_by("-id").values("sku", "product_name").first())
    return dict(row) if row else None
