"""Normalisation rules shared by imports, mappings and scanning (../shared/design.md).

Kept from the old app so that every barcode printed for it still scans here.
"""

from django.conf import settings


def normalize_sku(value) -> str:
    """Letters and digits only (any script), lower-cased; leading zeros kept.

    `sku-aaa` and `SKU-AAA` match; `007-A` stays `007a`.
    """
    return "".join(ch for ch in str(value) if ch.isalnum()).lower()


def normalize_barcode(value) -> str:
    """A mapping barcode is matched exactly like a scanned item code."""
    return normalize_sku(value)


def normalize_order_number(value) -> str:
    """Letters, digits, `-` and `_`, case preserved: `#1001!` and `1001` both find `#1001`."""
    return "".join(ch for ch in str(value).strip() if ch.isalnum() or ch in "-_")


def is_command_code(value) -> bool:
    """A code with the command prefix (PACKER_COMMAND_PREFIX, default `CMD:`, any case) is a
    station command from the command sheet: never an item, never a mapping's barcode."""
    prefix = settings.PACKER_COMMAND_PREFIX.strip().upper()
    return bool(prefix) and str(value or "").strip().upper().startswith(prefix)
