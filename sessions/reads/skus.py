"""SKUs seen in a client's packing lists: the check behind the admin's free-text SKU warning.

A mapping's SKU is typed by hand (admin form, CSV/XLSX import). A typo ("DC-HC-05O") saves
fine and then maps a barcode to a SKU no order ever asks for: the packer's scan is refused as
an unknown item. Nothing can refuse it outright — a mapping may be made before the first list
of a new product arrives — so the admin warns instead. SKUs compare as the scan path compares
them (`profiles.normalize.normalize_sku`: case and punctuation ignored).
"""

from profiles.normalize import normalize_sku
from sessions.models import OrderItem


def unseen_skus(client, skus):
    """The SKUs of `skus` that match no line of any list of `client` (in the given order)."""
    wanted = {normalize_sku(sku): sku for sku in skus}
    seen = set(
        OrderItem.objects.filter(order__packing_list__session__client=client,
                                 normalized_sku__in=[k for k in wanted if k])
        .values_list("normalized_sku", flat=True).distinct()
    )
    return [sku for key, sku in wanted.items() if key not in seen]

