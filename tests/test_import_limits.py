"""Bombs and caps (issue 12, scenario 59): an xlsx or zip that unpacks to far more than it
weighs, a member that lies about its size, and imports over the orders/lines caps are refused
with a clear 400 before they are parsed or saved, through every entry point (the dispatcher,
the API, the web page, import_list). Speed and memory figures: bench/bench_bombs.py."""

import io
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from profiles.models import Client
from profiles.roles import assign_role
from sessions.errors import ImportRejected
from sessions.imports.dispatch import import_file
from sessions.models import Order, PackingList, PackingSession
from tests import bombs

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.django_db


@pytest.fixture
def client_m(db):
    return Client.objects.create(code="M", name="Client M")


@pytest.fixture
def supervisor(client_m):
    user = User.objects.create_user("sup", password="pw")
    return assign_role(user, "supervisor")


@pytest.fixture
def api(supervisor):
    api = APIClient()
    api.force_authenticate(supervisor)
    return api


def nothing_saved():
    return not (PackingSession.objects.exists() or PackingList.objects.exists()
                or Order.objects.exists())


def refused(client, data, name):
    with pytest.raises(ImportRejected) as info:
        import_file(client, SimpleUploadedFile(name, data))
    assert nothing_saved()
    return info.value.errors[0]


def test_xlsx_bomb_is_refused_from_its_directory(client_m):
    bomb = bombs.xlsx_bomb(20_000_000)
    assert len(bomb) < 200_000
    error = refused(client_m, bomb, "DHL.xlsx")
    assert "likely zip bomb" in error["message"] and error["limit"] == "compression_ratio"


def test_xlsx_over_the_unpacked_limit_is_refused(client_m, settings):
    settings.PACKER_IMPORT_MAX_UNPACKED_BYTES = 5 * 2 ** 20
    settings.PACKER_IMPORT_MAX_RATIO = 10_000  # this test is about the size alone
    error = refused(client_m, bombs.xlsx_rows(60_000), "DHL.xlsx")  # ~10 MB unpacked
    assert "unpacks to more than 5 MB" in error["message"]
    assert error["limit"] == "unpacked_bytes"


def test_xlsx_member_lying_about_its_size_is_refused(client_m):
    bomb = bombs.xlsx_bomb(30_000_000, declared=500_000)  # declares an innocent ratio
    info = zipfile.ZipFile(io.BytesIO(bomb)).getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size / info.compress_size < 10
    error = refused(client_m, bomb, "DHL.xlsx")
    assert "more than the 500000 bytes it declares" in error["message"]


def test_sheet_with_more_rows_than_the_line_cap_is_refused_before_reading(client_m, settings,
                                                                          monkeypatch):
    from sessions.imports import tables

    settings.PACKER_IMPORT_MAX_LINES = 50
    monkeypatch.setattr(tables, "_read_frame", lambda *a: pytest.fail("the sheet was read"))
    error = refused(client_m, bombs.xlsx_rows(51), "DHL.xlsx")
    assert "has 52 rows; an import may have at most 50 lines" in error["message"]
    assert (error["limit"], error["max"], error["found"]) == ("lines", 50, 51)


def test_a_sheet_at_the_line_cap_is_read(client_m, settings):
    settings.PACKER_IMPORT_MAX_LINES = 50
    result = import_file(client_m, SimpleUploadedFile("DHL.xlsx", bombs.xlsx_rows(50)))
    assert result.lists[0]["lines"] == 50


def csv_of(orders, lines_each):
    rows = ["Order_Number,SKU,Product_Name,Quantity,Courier"]
    rows += [f"#{n},SKU-{k},Cream,1,DHL" for n in range(orders) for k in range(lines_each)]
    return "\n".join(rows).encode()


@pytest.mark.parametrize(("orders", "lines_each", "limit"), [(6, 1, "orders"), (2, 4, "lines")])
def test_spreadsheet_over_the_order_or_line_cap_saves_nothing(client_m, settings, orders,
                                                              lines_each, limit):
    settings.PACKER_IMPORT_MAX_ORDERS, settings.PACKER_IMPORT_MAX_LINES = 5, 7
    error = refused(client_m, csv_of(orders, lines_each), "DHL.csv")
    assert error["limit"] == limit and "Nothing was saved" in error["message"]


def session_zip(lists):
    """A zipped session with one packing list file per entry of `lists` (order counts)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("session_info.json", bombs.SESSION_INFO)
        for index, count in enumerate(lists):
            orders = [{"order_number": f"#{index}-{n}", "courier": "DHL",
                       "items": [{"sku": "A", "quantity": 1}]} for n in range(count)]
            archive.writestr(f"packing_lists/L{index}.json", json.dumps({"orders": orders}))
    return buffer.getvalue()


def test_session_zip_over_the_order_cap_across_its_lists_is_refused(client_m, settings,
                                                                    monkeypatch):
    from sessions.imports import shopify

    settings.PACKER_IMPORT_MAX_ORDERS = 100
    validated = []
    original = shopify.json_to_spec
    monkeypatch.setattr(shopify, "json_to_spec",
                        lambda *a, **k: validated.append(1) or original(*a, **k))
    error = refused(client_m, session_zip([40, 40, 40, 40]), "2026-03-02_9.zip")
    assert error["limit"] == "orders" and error["found"] == 120
    assert len(validated) == 2  # the third list was refused before it was even validated
    assert len(import_file(client_m, SimpleUploadedFile("s.zip", session_zip([40, 60])))
               .lists) == 2


def test_session_zip_bomb_is_refused(client_m):
    error = refused(client_m, bombs.session_zip_bomb(50_000_000), "2026-03-02_9.zip")
    assert error["limit"] == "compression_ratio"


def test_packing_list_push_over_the_order_cap(api, settings):
    settings.PACKER_IMPORT_MAX_ORDERS = 3
    orders = [{"order_number": f"#{n}", "courier": "DHL", "items": [{"sku": "A", "quantity": 1}]}
              for n in range(4)]
    response = api.post("/api/v1/imports/packing-list/",
                        {"client": "M", "list_name": "DHL", "orders": orders}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_rejected" and body["errors"][0]["limit"] == "orders"
    assert "more than 3 orders" in body["message"] and nothing_saved()


def test_every_entry_point_refuses_a_bomb(api, client, supervisor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    bomb = bombs.xlsx_bomb(20_000_000)
    response = api.post("/api/v1/imports/file/",
                        {"client": "M", "file": SimpleUploadedFile("DHL.xlsx", bomb)})
    assert response.status_code == 400 and response.json()["code"] == "import_rejected"
    assert "likely zip bomb" in response.json()["message"]
    client.force_login(supervisor)
    page = client.post("/imports/", {"client": "M", "file": SimpleUploadedFile("DHL.xlsx", bomb)})
    assert page.status_code == 200 and "likely zip bomb" in page.content.decode()
    path = tmp_path / "DHL.xlsx"
    path.write_bytes(bomb)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_list", "--client", "M", str(path), stderr=err, stdout=io.StringIO())
    assert "likely zip bomb" in err.getvalue()
    assert nothing_saved()


MEASURE = textwrap.dedent("""
    import json, os, sys, time
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "packer.settings")
    import django
    django.setup()
    from sessions.errors import ImportRejected
    from sessions.imports.archive import read_zip
    from sessions.imports.tables import read_table
    from tests import bombs

    def rss_kb(field):
        for line in open("/proc/self/status"):
            if line.startswith(field):
                return int(line.split()[1])

    files = {"xlsx": bombs.xlsx_bomb(900_000_000, crc=False),
             "lying": bombs.xlsx_bomb(900_000_000, declared=20_000_000, crc=False),
             "zip": bombs.session_zip_bomb(900_000_000, crc=False)}
    import pandas, python_calamine  # loaded by the import path anyway: not counted
    out = {}
    for kind, data in files.items():
        before, started = rss_kb("VmHWM"), time.perf_counter()
        try:
            read_zip(data, "s.zip") if kind == "zip" else read_table(data, "DHL.xlsx")
            refused = False
        except ImportRejected:
            refused = True
        out[kind] = {"refused": refused, "seconds": time.perf_counter() - started,
                     "growth_mb": (rss_kb("VmHWM") - before) / 1024}
    print(json.dumps(out))
""")


def test_bombs_are_refused_without_blowing_up_the_worker():
    """Each bomb unpacks to ~900 MB; the process's peak RSS may grow by at most 100 MB (a
    generous bound: bench/bench_bombs.py measures a few MB). Time is the benchmark's job."""
    run = subprocess.run([sys.executable, "-c", MEASURE], cwd=ROOT, capture_output=True,
                         text=True, timeout=240, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout.strip().splitlines()[-1])
    for kind, figures in results.items():
        assert figures["refused"], kind
        assert figures["growth_mb"] < 100, (kind, figures)
