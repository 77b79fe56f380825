"""Shopify Tool session import: folder and zip, list variants, idempotent re-import, archive
safety. Formats: ../shared/legacy-formats.md §5.2 and §11; scenarios 28–32."""

import io
import json
import zipfile
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from profiles.models import Client
from sessions.errors import ImportRejected
from sessions.imports.shopify import import_shopify_session
from sessions.models import Order, OrderItem, PackingList, PackingSession

SESSION_INFO = {"created_by_tool": "shopify", "client_id": "M", "session_name": "2026-03-02_1",
                "status": "active", "total_orders": 4, "created_at": "2026-03-02T09:01:12.000123"}

P2_DHL = {"session_id": "2026-03-02_1", "created_at": "2026-03-02T09:10:02", "total_orders": 3,
          "orders": [
              {"order_number": "#1001", "order_type": "Multi", "shipping_provider": "DHL",
               "courier": "DHL", "destination_country": "DE", "shipping_country": "DE",
               "tags": ["VIP", "Gift"], "notes": "Leave at door", "system_note": "",
               "internal_tags": ["GIFT+1"], "order_min_box": "BOX-S",
               "order_fulfillment_status": "Fulfillable", "status": "Fulfillable",
               "items": [{"sku": "07-CREAM", "product_name": "Крем 50ml", "quantity": 2,
                          "order_fulfillment_status": "Fulfillable", "status_note": ""},
                         {"sku": "SOAP 1", "product_name": "Soap", "quantity": 1.0}]},
              {"order_number": "#1002", "shipping_provider": "DHL", "courier": "DHL",
               "tags": [], "internal_tags": [], "order_min_box": None,
               "items": [{"sku": "X", "product_name": "X", "quantity": "3"}]},
              {"order_number": "#1003", "courier": "DHL", "items": []},
          ]}
P1_POSTONE = {"session_id": "2026-03-02_1", "total_orders": 1, "orders": [
    {"order_number": "2001", "order_type": "Single", "courier": "PostOne", "destination": "BG",
     "tags": ["Promo"], "items": [{"sku": "A", "product_name": "A", "quantity": 1,
                                   "stock_status": "ok"}]}]}
P2_DPD = {"session_id": "2026-03-02_1", "orders": [
    {"order_number": "3001", "shipping_provider": "DPD", "courier": "DPD",
     "items": [{"sku": "B", "product_name": "B", "quantity": 5}]}]}
ANALYSIS = ('{"analyzed_at": "2026-03-02T09:03:40", "total_orders": 4, "orders": ['
            '{"order_number": "2001", "courier": "", "status": "Fulfillable", '
            '"shipping_country": NaN, "tags": "VIP, Gift", "notes": "ring twice", '
            '"items": [{"sku": "A", "product_name": "A", "quantity": 1}]}]}')


def write_session(root, lists=None, info=SESSION_INFO, analysis=ANALYSIS):
    root.mkdir(parents=True, exist_ok=True)
    (root / "session_info.json").write_text(json.dumps(info))
    (root / "analysis").mkdir(exist_ok=True)
    if analysis is not None:
        (root / "analysis" / "analysis_data.json").write_text(analysis)
    (root / "packing_lists").mkdir(exist_ok=True)
    lists = {"DHL_Orders": P2_DHL, "PostOne_Orders": P1_POSTONE, "DPD Заказы": P2_DPD} \
        if lists is None else lists
    for name, data in lists.items():
        (root / "packing_lists" / f"{name}.json").write_text(json.dumps(data, ensure_ascii=False))
        (root / "packing_lists" / f"{name}.xlsx").write_bytes(b"ignored")
    return root


def zip_of(root, prefix=None, extra=(), name="session.zip"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                member = path.relative_to(root).as_posix()
                archive.write(path, f"{prefix}/{member}" if prefix else member)
        for member, content in extra:
            archive.writestr(member, content)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def client_m(db):
    return Client.objects.create(code="M", name="Client M")


def nothing_saved():
    return not (PackingSession.objects.exists() or PackingList.objects.exists()
                or Order.objects.exists() or OrderItem.objects.exists())


@pytest.mark.django_db
def test_session_with_three_lists_keeps_order_metadata(client_m, tmp_path):
    result = import_shopify_session(client_m, write_session(tmp_path / "2026-03-02_1"))
    session = result.session
    assert (session.source, session.external_id) == ("shopify", "2026-03-02_1")
    assert session.info["analysis"]["total_orders"] == 4
    # Naive times of the Shopify Tool are local (Europe/Sofia, UTC+2 in March).
    session.refresh_from_db()
    assert session.created_at == datetime(2026, 3, 2, 7, 1, 12, 123, tzinfo=UTC)
    names = sorted(item["name"] for item in result.lists)
    assert names == ["DHL_Orders", "DPD Заказы", "PostOne_Orders"]
    dhl = session.lists.get(name="DHL_Orders")
    assert dhl.info["skipped_orders_without_items"] == ["#1003"]
    assert dhl.source_file == "packing_lists/DHL_Orders.json"
    o = dhl.orders.get(number="#1001")
    assert (o.order_type, o.courier, o.country, o.box) == ("Multi", "DHL", "DE", "BOX-S")
    assert (o.tags, o.internal_tags, o.notes) == (["VIP", "Gift"], ["GIFT+1"], "Leave at door")
    assert o.metadata["order_fulfillment_status"] == "Fulfillable"
    lines = list(o.items.order_by("line_number"))
    assert [(i.sku, i.required, i.product_name) for i in lines] == [
        ("07-CREAM", 2, "Крем 50ml"), ("SOAP 1", 1, "Soap")]
    assert lines[0].extra_columns == {"order_fulfillment_status": "Fulfillable",
                                      "status_note": ""}
    assert dhl.orders.get(number="#1002").box == ""


@pytest.mark.django_db
def test_p1_list_is_completed_from_the_a1_analysis(client_m, tmp_path):
    result = import_shopify_session(client_m, write_session(tmp_path / "s"))
    order = result.session.lists.get(name="PostOne_Orders").orders.get()
    # The list has destination and tags; notes come from the analysis (its NaN country ignored).
    assert (order.country, order.tags, order.notes) == ("BG", ["Promo"], "ring twice")
    assert order.items.get().extra_columns == {"stock_status": "ok"}


@pytest.mark.django_db
def test_reimport_adds_only_new_lists_and_leaves_packing_lists_alone(client_m, tmp_path):
    root = write_session(tmp_path / "2026-03-02_1")
    first = import_shopify_session(client_m, root)
    dhl = first.session.lists.get(name="DHL_Orders")
    PackingList.objects.filter(pk=dhl.pk).update(status="in_progress")
    item = OrderItem.objects.filter(order__packing_list=dhl).first()
    OrderItem.objects.filter(pk=item.pk).update(packed=1)
    # The Shopify Tool regenerates DHL (now different) and adds a fourth list.
    changed = dict(P2_DHL, orders=[dict(P2_DHL["orders"][1], order_number="#9999")])
    gls = dict(P2_DPD, orders=[dict(P2_DPD["orders"][0], order_number="4001")])
    write_session(root, lists={"DHL_Orders": changed, "GLS": gls})
    again = import_shopify_session(client_m, root)
    assert again.session.pk == first.session.pk and not again.created_session
    assert [item["name"] for item in again.lists] == ["GLS"]
    assert sorted(again.skipped_lists) == ["DHL_Orders", "DPD Заказы", "PostOne_Orders"]
    dhl.refresh_from_db()
    assert dhl.status == "in_progress"
    assert sorted(dhl.orders.values_list("number", flat=True)) == ["#1001", "#1002"]
    assert OrderItem.objects.get(pk=item.pk).packed == 1
    third = import_shopify_session(client_m, root)
    assert third.lists == [] and PackingList.objects.count() == 4


@pytest.mark.django_db
def test_bad_quantities_and_collisions_are_errors_with_file_row_and_column(client_m, tmp_path):
    bad = {"orders": [
        {"order_number": "#1", "courier": "DHL", "items": [{"sku": "A", "quantity": 2.5}]},
        {"order_number": "#2", "courier": "DHL", "items": [{"sku": "A", "quantity": 0}]},
        {"order_number": "2!", "courier": "DHL", "items": [{"sku": "A", "quantity": 1}]},
        {"order_number": "#4", "courier": "", "items": [{"sku": "A", "quantity": 1}]},
        {"order_number": "", "courier": "DHL", "items": [{"sku": "A", "quantity": 1}]},
        {"order_number": "#6", "courier": "DHL", "items": [{"sku": "A"}]},
    ]}
    root = write_session(tmp_path / "s", lists={"Good": P2_DPD, "Bad": bad})
    with pytest.raises(ImportRejected) as info:
        import_shopify_session(client_m, root)
    assert nothing_saved()
    found = {(e["file"], e["row"], e["column"]) for e in info.value.errors}
    assert found == {
        ("packing_lists/Bad.json", 1, "items[1].quantity"),
        ("packing_lists/Bad.json", 2, "items[1].quantity"),
        ("packing_lists/Bad.json", 3, "order_number"),
        ("packing_lists/Bad.json", 4, "courier"),
        ("packing_lists/Bad.json", 5, "order_number"),
        ("packing_lists/Bad.json", 6, "items[1].quantity"),
    }


@pytest.mark.django_db
def test_analysis_only_session_becomes_the_full_session_list(client_m, tmp_path):
    result = import_shopify_session(client_m, write_session(tmp_path / "s", lists={}))
    plist = result.session.lists.get()
    assert plist.name == "full_session"
    order = plist.orders.get()
    assert (order.courier, order.tags) == ("N/A", ["VIP", "Gift"])


@pytest.mark.django_db
def test_session_of_another_client_or_tool_is_refused(client_m, tmp_path):
    other = dict(SESSION_INFO, client_id="ZZ")
    with pytest.raises(ImportRejected, match="not imported"):
        import_shopify_session(client_m, write_session(tmp_path / "a", info=other))
    excel = dict(SESSION_INFO, created_by_tool="packer")
    with pytest.raises(ImportRejected) as info:
        import_shopify_session(client_m, write_session(tmp_path / "b", info=excel))
    assert "not by the Shopify Tool" in info.value.errors[0]["message"]
    assert nothing_saved()


@pytest.mark.django_db
def test_folder_without_session_info_is_refused(client_m, tmp_path):
    (tmp_path / "x" / "packing_lists").mkdir(parents=True)
    with pytest.raises(ImportRejected, match="not imported") as info:
        import_shopify_session(client_m, tmp_path / "x")
    assert "session_info.json" in info.value.errors[0]["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", [None, "2026-03-02_1"])
def test_zip_at_top_or_one_folder_deep(client_m, tmp_path, prefix):
    upload = zip_of(write_session(tmp_path / "2026-03-02_1"), prefix=prefix)
    result = import_shopify_session(client_m, upload)
    assert result.session.external_id == "2026-03-02_1"
    assert len(result.lists) == 3


@pytest.mark.django_db
def test_zip_slip_is_refused(client_m, tmp_path):
    upload = zip_of(write_session(tmp_path / "s"), extra=[("../../evil.json", "{}")])
    with pytest.raises(ImportRejected) as info:
        import_shopify_session(client_m, upload)
    assert "unsafe path" in info.value.errors[0]["message"]
    assert nothing_saved()


@pytest.mark.django_db
def test_zip_bomb_is_refused(client_m, tmp_path, settings):
    settings.PACKER_IMPORT_MAX_UNPACKED_BYTES = 5_000_000
    settings.PACKER_IMPORT_MAX_RATIO = 10_000  # the size alone (the ratio: test_import_limits)
    bomb = b"[" + b" " * 6_000_000 + b"]"
    upload = zip_of(write_session(tmp_path / "s"), extra=[("packing_lists/big.json", bomb)])
    assert len(upload) < 100_000
    with pytest.raises(ImportRejected) as info:
        import_shopify_session(client_m, upload)
    assert "unpacks to more than" in info.value.errors[0]["message"]


@pytest.mark.django_db
def test_member_over_the_file_limit_is_stopped_while_reading(client_m, tmp_path, settings):
    settings.PACKER_IMPORT_MAX_BYTES = 200_000
    upload = zip_of(write_session(tmp_path / "s"),
                    extra=[("packing_lists/big.json", b"[" + b" " * 300_000 + b"]")])
    with pytest.raises(ImportRejected) as info:
        import_shopify_session(client_m, upload)
    assert "too large" in info.value.errors[0]["message"]


@pytest.mark.django_db
def test_zip_without_session_shape_or_not_a_zip(client_m):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a/b/session_info.json", "{}")
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ImportRejected) as info:
        import_shopify_session(client_m, SimpleUploadedFile("s.zip", buffer.getvalue()))
    assert "not a Shopify Tool session folder" in info.value.errors[0]["message"]
    with pytest.raises(ImportRejected) as info:
        import_shopify_session(client_m, SimpleUploadedFile("s.zip", b"plain text"))
    assert "not a valid zip" in info.value.errors[0]["message"]


@pytest.mark.django_db
def test_web_upload_of_a_zipped_session(client_m, client, settings, tmp_path):
    from django.contrib.auth.models import User

    from profiles.roles import assign_role

    settings.MEDIA_ROOT = tmp_path / "media"
    user = User.objects.create_user("sup", password="pw")
    assign_role(user, "supervisor")
    client.force_login(user)
    upload = zip_of(write_session(tmp_path / "2026-03-02_1"), prefix="2026-03-02_1")
    response = client.post("/imports/", {"client": "M", "file": upload})
    assert response.status_code == 302 and "/preview/" in response["Location"]
    preview = client.get(response["Location"]).content.decode()
    for name in ("DHL_Orders", "PostOne_Orders", "DPD Заказы"):
        assert name in preview
    assert not PackingSession.objects.exists()
    response = client.post(response["Location"], {})
    assert response.status_code == 302 and "/imports/result/" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    for name in ("DHL_Orders", "PostOne_Orders", "DPD Заказы"):
        assert name in page
    assert list((settings.MEDIA_ROOT / "uploads").iterdir()) == []
    assert PackingSession.objects.get().external_id == "2026-03-02_1"
    # The same zip again: the preview says it was imported, and offers no import.
    upload.seek(0)
    response = client.post("/imports/", {"client": "M", "file": upload})
    preview = client.get(response["Location"]).content.decode()
    assert "already imported" in preview and 'id="btn-import"' not in preview
    assert PackingList.objects.count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_of_one_session_never_duplicate(tmp_path):
    """Two stations/scripts importing the same session at once: one session, each list once."""
    import threading

    from django.db import connection

    client_m = Client.objects.create(code="M", name="Client M")
    root = write_session(tmp_path / "2026-03-02_1")
    outcomes, barrier = [], threading.Barrier(4)

    def run():
        try:
            barrier.wait()
            result = import_shopify_session(client_m, root)
            outcomes.append(("ok", len(result.lists)))
        except ImportRejected:
            outcomes.append(("rejected", 0))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert PackingSession.objects.count() == 1
    assert sorted(PackingList.objects.values_list("name", flat=True)) == [
        "DHL_Orders", "DPD Заказы", "PostOne_Orders"]
    assert sum(n for _kind, n in outcomes) == 3 and len(outcomes) == 4


@pytest.mark.django_db
def test_top_level_zip_without_session_name_is_named_after_the_zip(client_m, tmp_path):
    info = {k: v for k, v in SESSION_INFO.items() if k != "session_name"}
    upload = zip_of(write_session(tmp_path / "s", info=info), name="2026-03-09_2.zip")
    assert import_shopify_session(client_m, upload).session.external_id == "2026-03-09_2"


@pytest.mark.django_db
def test_web_import_from_the_servers_sessions_folder(client_m, client, settings, tmp_path):
    from django.contrib.auth.models import User

    from profiles.roles import assign_role

    settings.PACKER_SHOPIFY_SESSIONS_ROOT = str(tmp_path / "Sessions")
    write_session(tmp_path / "Sessions" / "CLIENT_M" / "2026-03-02_1")
    (tmp_path / "Sessions" / "CLIENT_M" / "not-a-session").mkdir()
    user = User.objects.create_user("sup", password="pw")
    assign_role(user, "supervisor")
    client.force_login(user)
    page = client.get("/imports/server/", {"client": "M"}).content.decode()
    assert "2026-03-02_1" in page and "not-a-session" not in page and "DHL_Orders" in page
    response = client.post("/imports/server/", {"client": "M", "folder": "2026-03-02_1"})
    assert response.status_code == 302 and "/preview/" in response["Location"]
    assert "DHL_Orders" in client.get(response["Location"]).content.decode()
    response = client.post(response["Location"], {})
    assert response.status_code == 302 and "/imports/result/" in response["Location"]
    assert PackingList.objects.count() == 3
    # Only listed folders can be chosen: no path from the browser.
    for folder in ("../CLIENT_M/2026-03-02_1", "not-a-session", "/etc"):
        page = client.post("/imports/server/", {"client": "M", "folder": folder})
        assert page.status_code == 200 and "No Shopify Tool session" in page.content.decode()
    assert PackingSession.objects.count() == 1
