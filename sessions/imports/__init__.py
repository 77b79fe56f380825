"""Packing lists in: Excel/CSV with column mapping, packing-list JSON, Shopify Tool sessions.

Each importer validates everything first (every error with row and column, raised as
ImportRejected) and then writes in one transaction through `sessions.imports.build`.

The public functions are imported lazily: sub-packages (e.g. `legacy`) are imported while
Django loads models, and must not drag pandas and the ORM models in at that moment.
"""

from importlib import import_module

_EXPORTS = {
    "import_excel": "sessions.imports.excel",
    "import_packing_list_json": "sessions.imports.jsonlists",
    "import_shopify_session": "sessions.imports.shopify",
}

__all__ = list(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
