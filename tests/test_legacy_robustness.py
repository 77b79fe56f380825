"""The legacy import on damaged copies of a share (issue 12): an unreadable folder, a file where
a folder should be (and the reverse), symbolic links leading out of the share, a huge state
file and real Excel dates. Whatever cannot be read is reported with its path; the rest imports.

Running as root (CI containers do), a folder cannot be made unreadable with chmod, so the
`unreadable` fixture makes the operating system calls on it fail the way they fail for an
ordinary user (listing the folder, and reaching or opening anything inside it)."""

import builtins
import errno
import io
import os
from datetime import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from sessions.models import Order, PackingList, PackingSession
from tests.legacy_fixtures.builder import ShareBuilder
from tests.legacy_fixtures.helpers import figures, problem_reasons, run

pytestmark = pytest.mark.django_db

ORDERS = [("#2001", [("A-1", 1)]), ("#2002", [("B-2", 2), ("C-3", 1)]), ("#2003", [("A-1", 3)])]
DONE_STATE = {"version": "1.3.0", "last_updated": "2026-03-02T11:00:00+02:00",
              "completed": ["#2001", "#2002"], "in_progress": {}}


@pytest.fixture
def share(tmp_path):
    b = ShareBuilder(tmp_path / "0UFulfilment")
    b.client("M", name="M Cosmetics", mapping={"111": "A-1"})
    b.workers([{"id": "worker_001", "name": "Dolphin"}])
    return b


@pytest.fixture
def unreadable(monkeypatch):
    """unreadable(path): that folder or file can no longer be read (chmod 000, as root too)."""
    folders, files, chmodded = [], [], []

    def denied(path):
        raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))

    def path_of(arg):
        return None if isinstance(arg, int) else os.path.abspath(os.fspath(arg))

    def within(path):
        return path is not None and any(path.startswith(f + os.sep) for f in folders)

    def listing(function):
        def guarded(path=".", *args, **kwargs):
            if path_of(path) in folders:
                denied(path)
            return function(path, *args, **kwargs)
        return guarded

    def reaching(function, *, files_too):
        def guarded(path, *args, **kwargs):
            target = path_of(path)
            if within(target) or (files_too and target in files):
                denied(path)
            return function(path, *args, **kwargs)
        return guarded

    def block(path):
        path = os.path.abspath(path)
        if os.geteuid() != 0:  # an ordinary user: the real thing
            os.chmod(path, 0)
            chmodded.append(path)
            return
        if not (folders or files):
            monkeypatch.setattr(os, "listdir", listing(os.listdir))
            monkeypatch.setattr(os, "scandir", listing(os.scandir))
            monkeypatch.setattr(os, "stat", reaching(os.stat, files_too=False))
            monkeypatch.setattr(os, "lstat", reaching(os.lstat, files_too=False))
            opener = reaching(io.open, files_too=True)
            monkeypatch.setattr(io, "open", opener)
            monkeypatch.setattr(builtins, "open", opener)
        (folders if os.path.isdir(path) else files).append(path)

    yield block
    for path in chmodded:
        os.chmod(path, 0o755)


def _shopify(share, sid, lists=("DHL_Orders",)):
    folder = share.shopify_session("M", sid, dict.fromkeys(lists, ORDERS))
    for name in lists:
        share.json(share.work_dir(folder, name) / "packing_state.json", DONE_STATE)
    return folder


def test_an_unreadable_client_folder_is_reported_and_the_others_import(share, unreadable):
    _shopify(share, "2026-03-02_1")
    other = share.shopify_session("X", "2026-03-02_1", {"L": ORDERS})
    unreadable(other.parent)
    out = StringIO()
    call_command("import_legacy", str(share.root), "--no-progress", stdout=out,
                 stderr=StringIO())
    text = out.getvalue()
    assert "Sessions/CLIENT_X: folder cannot be read" in text
    assert "client M: 1 sessions, 1 lists" in text
    assert PackingSession.objects.filter(client__code="M").count() == 1


def test_workers_json_that_is_a_folder_is_a_problem(share):
    path = share.d("Workers") / "workers.json"
    path.unlink()
    path.mkdir()
    report = run(share.root)
    assert report["workers"] == {"created": 0, "existing": 0}
    assert any(p["path"].endswith("Workers/workers.json") and "is a folder" in p["reason"]
               for p in report["problems"])


def test_a_file_where_a_folder_should_be_is_a_problem(share):
    folder = share.shopify_session("M", "2026-03-02_1", {"DHL_Orders": ORDERS})
    (folder / "packing").rmdir()
    (folder / "packing").write_text("not a folder")
    report = run(share.root)
    assert any("packing" in p["path"] and "not a folder" in p["reason"]
               for p in report["problems"])
    assert figures(report, "DHL_Orders")["orders"] == 3


def test_one_unreadable_list_folder_leaves_the_other_lists_of_the_session(share, unreadable):
    folder = _shopify(share, "2026-03-02_1", lists=("DHL_Orders", "PostOne_Orders"))
    unreadable(folder / "packing" / "PostOne_Orders")
    report = run(share.root)
    assert figures(report, "DHL_Orders")["completed_orders"] == 2
    assert [f["list"] for f in report["lists"]] == ["DHL_Orders"]
    assert any(p["path"].endswith("packing/PostOne_Orders")
               and "cannot be read" in p["reason"] and "not imported" in p["reason"]
               for p in report["problems"])


def test_an_unreadable_sub_folder_of_a_run_is_reported_and_the_rest_of_the_run_used(
        share, unreadable):
    folder = share.shopify_session("M", "2026-03-02_1", {"DHL_Orders": ORDERS})
    work = share.work_dir(folder, "DHL_Orders")
    share.json(work / "barcodes" / "packing_state.json", DONE_STATE)
    share.completed_report(work / "reports" / "packing_completed.xlsx", ORDERS,
                           {"#2001", "#2002", "#2003"})
    unreadable(work / "barcodes")
    report = run(share.root)
    assert figures(report, "DHL_Orders")["completed_orders"] == 3  # from the report
    assert any(p["path"].endswith("DHL_Orders/barcodes") and "cannot be read" in p["reason"]
               for p in report["problems"])


def test_a_run_whose_only_file_cannot_be_read_leaves_its_list_for_a_later_run(share,
                                                                             unreadable):
    folder = _shopify(share, "2026-03-02_1", lists=("DHL_Orders", "PostOne_Orders"))
    unreadable(folder / "packing" / "DHL_Orders" / "packing_state.json")
    report = run(share.root)
    assert any(p["path"].endswith("packing_state.json") and "cannot be read" in p["reason"]
               for p in report["problems"])
    assert any(p["path"].endswith("packing/DHL_Orders") and "list DHL_Orders was not imported"
               in p["reason"] for p in report["problems"])
    assert [f["list"] for f in report["lists"]] == ["PostOne_Orders"]  # never "not started"


def test_symbolic_links_out_of_the_share_are_reported_and_not_followed(share, tmp_path):
    outside = ShareBuilder(tmp_path / "elsewhere")
    foreign = outside.shopify_session("M", "2026-01-01_1", {"Secret": ORDERS})
    secret = tmp_path / "secret.json"
    secret.write_text('{"workers": [{"id": "worker_666", "name": "Intruder"}]}')
    sessions = share.d("Sessions") / "CLIENT_M"
    sessions.mkdir(parents=True, exist_ok=True)
    (sessions / "2026-01-01_1").symlink_to(foreign, target_is_directory=True)
    (share.d("Workers") / "workers.json.backup").symlink_to(secret)
    ok = _shopify(share, "2026-03-02_1")
    (ok / "packing" / "Inside").symlink_to(ok / "packing" / "DHL_Orders")  # stays inside
    report = run(share.root)
    reasons = problem_reasons(report)
    assert sum("leads outside the share" in r and "not followed" in r for r in reasons) == 2
    assert not PackingList.objects.filter(name="Secret").exists()
    assert report["workers"]["created"] == 1  # worker_001 only, never the intruder
    assert figures(report, "DHL_Orders")["completed_orders"] == 2


def test_a_state_file_over_the_size_limit_is_refused_with_a_clear_problem(share, settings):
    settings.PACKER_LEGACY_MAX_FILE_BYTES = 50_000
    folder = share.shopify_session("M", "2026-03-02_1", {"DHL_Orders": ORDERS})
    work = share.work_dir(folder, "DHL_Orders")
    share.json(work / "packing_state.json", dict(DONE_STATE, padding="x" * 60_000))
    share.json(work / "barcodes" / "packing_state.json.backup", DONE_STATE)
    report = run(share.root)
    assert any(p["path"].endswith("DHL_Orders/packing_state.json")
               and "larger than the 0.05 MB" in p["reason"] for p in report["problems"])
    assert figures(report, "DHL_Orders")["completed_orders"] == 2  # from the backup
    (work / "barcodes" / "packing_state.json.backup").unlink()
    settings.PACKER_LEGACY_MAX_FILE_BYTES = 50_000
    again = share.shopify_session("M", "2026-03-02_2", {"DHL_Orders": ORDERS})
    share.json(share.work_dir(again, "DHL_Orders") / "packing_state.json",
               dict(DONE_STATE, padding="x" * 60_000))
    assert run(share.root)["lists"] == []  # the big state alone: not imported as unpacked
    settings.PACKER_LEGACY_MAX_FILE_BYTES = 1_000_000  # raised, as the problem suggests
    assert figures(run(share.root), "DHL_Orders", "2026-03-02_2")["completed_orders"] == 2


def test_real_excel_dates_and_numbers_in_a_completed_report(share):
    folder = share.excel_session("M", "2025-10-29_10-00")
    path = share.completed_report(folder / "orders_completed.xlsx", ORDERS, {"#2001"})
    import openpyxl

    book = openpyxl.load_workbook(path)
    sheet = book.active
    for row in sheet.iter_rows(min_row=2):
        row[3].value = int(row[3].value)  # Quantity as a number, as Excel keeps it
        if row[6].value == "Completed":
            row[7].value = datetime(2025, 10, 29, 10, 15, 30)
            row[7].number_format = "yyyy-mm-dd hh:mm"
    book.save(path)
    report = run(share.root)
    assert figures(report, "orders")["units"] == 7
    completed = Order.objects.get(number="#2001").completed_at
    assert completed.isoformat() == "2025-10-29T08:15:30+00:00"  # 10:15:30 in Sofia (EET)


def test_an_xlsx_bomb_on_the_share_is_a_problem_not_a_crash(share):
    from tests import bombs

    folder = share.excel_session("M", "2025-10-29_10-00")
    (folder / "orders_completed.xlsx").write_bytes(bombs.xlsx_bomb(30_000_000, crc=False))
    report = run(share.root)
    assert any("likely zip bomb" in r for r in problem_reasons(report))
