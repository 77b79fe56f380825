"""Builds legacy file shares in a temporary folder, one small method per file variant of
legacy-formats.md, so each test writes exactly the era/variant/corruption it is about.

Orders are given as [(number, [(sku, quantity), ...]), ...].
"""

import json
from pathlib import Path

import openpyxl


def orders_json(orders, *, variant="P2", courier="DHL"):
    out = []
    for number, lines in orders:
        if variant == "P1":
            out.append({"order_number": number, "order_type": "Single", "courier": courier,
                        "destination": "BG", "tags": ["VIP"],
                        "items": [{"sku": s, "product_name": f"Product {s}", "quantity": q,
                                   "stock_status": "ok"} for s, q in lines]})
        elif variant == "A1":
            out.append({"order_number": number, "courier": "", "status": "Fulfillable",
                        "shipping_country": float("nan"), "tags": float("nan"),
                        "items": [{"sku": s, "product_name": f"Продукт {s}", "quantity": q}
                                  for s, q in lines]})
        else:
            out.append({"order_number": number, "order_type": "Multi", "shipping_provider": courier,
                        "destination_country": "DE", "courier": courier, "status": "Fulfillable",
                        "shipping_country": "DE", "tags": ["VIP", "Gift"], "notes": "Бележка",
                        "system_note": "", "internal_tags": ["GIFT+1"], "order_min_box": "BOX-S",
                        "items": [{"sku": s, "product_name": f"Продукт {s}", "quantity": q,
                                   "order_fulfillment_status": "Fulfillable"} for s, q in lines]})
    return out


def item_states(lines, packed=None):
    packed = packed or {}
    return [{"original_sku": s, "normalized_sku": "".join(c for c in s if c.isalnum()).lower(),
             "required": q, "packed": packed.get(i, 0), "row": i} for i, (s, q) in enumerate(lines)]


class ShareBuilder:
    def __init__(self, root, *, upper=False):
        self.root = Path(root)
        self.upper = upper
        names = ("CLIENTS", "SESSIONS", "STATS") if upper else ("Clients", "Sessions", "Stats",
                                                                "Workers")
        for n in names:
            (self.root / n).mkdir(parents=True, exist_ok=True)

    def d(self, name):
        return self.root / (name.upper() if self.upper else name)

    # -- raw writers -----------------------------------------------------------------------
    @staticmethod
    def json(path, obj, *, ascii=True, bom=False, truncate=None, indent=2):
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(obj, ensure_ascii=ascii, indent=indent)
        if truncate:
            text = text[:truncate]
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
        return path

    @staticmethod
    def xlsx(path, headers, rows):
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(headers)
        for r in rows:
            ws.append(r)
        wb.save(path)
        return path

    # -- clients and workers -----------------------------------------------------------------
    def client(self, code, *, name="Client", mapping=None, variant="full"):
        folder = self.d("Clients") / f"CLIENT_{code}"
        folder.mkdir(parents=True, exist_ok=True)
        if variant == "e1":
            self.json(folder / "config.json", {"client_id": code, "client_name": name,
                                               "courier_deadlines": {"DHL": "17:00"}})
            self.json(folder / "sku_mapping.json", {"mappings": mapping or {}})
        elif variant == "minimal":
            self.json(folder / "packer_config.json", {"client_id": code,
                                                      "sku_mapping": mapping or {}})
            self.json(folder / "client_config.json", {"client_id": code, "client_name": name})
        else:
            self.json(folder / "packer_config.json",
                      {"client_id": code, "client_name": name, "sku_mapping": mapping or {},
                       "courier_deadlines": {"DHL": "17:00", "Speedy": "16:00"}}, bom=True)
        return folder

    def workers(self, entries, *, name="workers.json"):
        return self.json(self.d("Workers") / name, {"workers": entries, "version": "1.3.0"})

    # -- sessions ------------------------------------------------------------------------------
    def shopify_session(self, code, sid, lists, *, variant="P2", created_at=None):
        folder = self.d("Sessions") / f"CLIENT_{code}" / sid
        self.json(folder / "session_info.json", {
            "created_by_tool": "shopify", "created_at": created_at or f"{sid[:10]}T08:00:00.000001",
            "client_id": code, "session_name": sid, "status": "active"})
        for name, orders in lists.items():
            self.json(folder / "packing_lists" / f"{name}.json",
                      {"session_id": sid, "created_at": f"{sid[:10]}T08:10:00.000001",
                       "total_orders": len(orders),
                       "orders": orders_json(orders, variant=variant)})
        (folder / "packing").mkdir(exist_ok=True)
        return folder

    def work_dir(self, session, name):
        path = Path(session) / "packing" / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def excel_session(self, code, sid, **info):
        folder = self.d("Sessions") / f"CLIENT_{code}" / sid
        (folder / "barcodes").mkdir(parents=True, exist_ok=True)
        if info:
            self.json(folder / "session_info.json", info)
        return folder

    def completed_report(self, path, orders, completed, *, at="2025-10-28 10:00:00",
                         in_progress=()):
        rows = []
        for number, lines in orders:
            status = ("Completed" if number in completed else
                      "In Progress" if number in in_progress else "New")
            for sku, qty in lines:
                rows.append([number, sku, f"Product {sku}", str(qty), "DHL", "BG", status,
                             at if status == "Completed" else ""])
        return self.xlsx(path, ["Order_Number", "SKU", "Product_Name", "Quantity", "Courier",
                                "Destination_Country", "Status", "Completed At"], rows)

    def labels(self, folder, numbers):
        for n in numbers:
            safe = "".join(c for c in n if c.isalnum() or c in "-_")
            (Path(folder) / "barcodes" / f"{safe}.png").write_bytes(b"\x89PNG\r\n")

    def lock(self, folder, *, heartbeat, worker="worker_001"):
        return self.json(Path(folder) / ".session.lock", {
            "locked_by": "WH-PACK-01", "user_name": "packer1", "lock_time": heartbeat,
            "process_id": 42, "app_version": "1.3.0", "heartbeat": heartbeat,
            "worker_id": worker, "worker_name": "Dolphin"})
