"""Packing lists in: Excel/CSV with column mapping, packing-list JSON, Shopify Tool sessions.

Each importer validates everything first (every error with row and column, raised as
ImportRejected) and then writes in one transaction through `sessions.importers.build`.
"""

from sessions.importers.excel import import_excel
from sessions.importers.jsonlists import import_packing_list_json
from sessions.importers.shopify import import_shopify_session

__all__ = ["import_excel", "import_packing_list_json", "import_shopify_session"]
