"""Enter to painted answer at the station, online and offline (issue 11), in a real browser.

A fresh database (SQLite under a temporary folder, or DATABASE_URL's PostgreSQL), one list with
one order of one line (enough units for every scan), the ASGI server (uvicorn, as in production)
in a child process, and Debian's chromium driven by Playwright. The scanner is keystrokes + Enter.

What is measured, per scan: from the Enter keydown (a capture listener on the scan input takes
performance.now()) to the first frame painted after the answer reached the screen (the station
sets body[data-last-outcome] when it shows an answer; a MutationObserver sees it, then a
requestAnimationFrame and a task after it mark the paint). Online: the server's answer. Offline
(the browser context cut off with set_offline): the station's local answer.

    .venv/bin/python bench/bench_station.py [--scans 60]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "packer.settings")

from benchkit import migrated_database  # noqa: E402

MEASURE = """() => {
  window.__lat = [];
  const input = document.getElementById('scan-input');
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') window.__t0 = performance.now();
  }, true);
  new MutationObserver(() => {
    const t0 = window.__t0;
    if (t0 === undefined) return;
    window.__t0 = undefined;
    requestAnimationFrame(() => setTimeout(() => window.__lat.push(performance.now() - t0), 0));
  }).observe(document.body, { attributes: true, attributeFilter: ['data-last-outcome'] });
}"""


def setup_data(scans):
    from django.test import Client as DjangoClient

    from profiles.models import Station
    from tests.builders import build_list, build_worker

    packing_list = build_list({"BENCH-1": [("SKU-BENCH", scans * 3)]})
    station = Station.objects.create(name="BENCH-ST")
    worker = build_worker("Bench", role="packer")
    client = DjangoClient()
    client.force_login(worker.user)
    return packing_list, station, client.cookies["sessionid"].value


def start_server(port):
    env = {**os.environ, "DEBUG": "true", "DATABASE_POOL": "false", "AXES_ENABLED": "false",
           "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "packer.asgi:application", "--host", "127.0.0.1",
         "--port", str(port), "--lifespan", "off", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc
        except Exception:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


def run_scans(page, count, code, gap_ms):
    page.evaluate(MEASURE)
    for n in range(count):
        page.locator("#scan-input").press_sequentially(code, delay=0)
        page.keyboard.press("Enter")
        page.wait_for_function(f"window.__lat.length >= {n + 1}", timeout=10000)
        page.wait_for_timeout(gap_ms)  # a hand's pace, and never a scanner's double read
    return page.evaluate("window.__lat")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scans", type=int, default=60)
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        migrated_database(Path(tmp))
        packing_list, station, session_id = setup_data(args.scans)
        server = start_server(args.port)
        url = f"http://127.0.0.1:{args.port}"
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=[
                    "--headless", "--no-sandbox", "--disable-gpu"])
                context = browser.new_context(base_url=url, viewport={"width": 1366, "height": 768})
                context.add_cookies([
                    {"name": "sessionid", "value": session_id, "url": url},
                    {"name": "packer_station", "value": station.name, "url": url},
                    {"name": "django_language", "value": "en", "url": url}])
                page = context.new_page()
                page.goto(f"/station/lists/{packing_list.pk}/")
                page.wait_for_selector("body[data-state='ready']")
                page.locator("#scan-input").press_sequentially("BENCH-1", delay=0)
                page.keyboard.press("Enter")
                page.wait_for_selector("body[data-last-outcome='order_loaded']")
                online = run_scans(page, args.scans, "SKU-BENCH", 200)
                # The HTTP round trip of each scan (request start to response end), to tell the
                # server's share from the page's.
                trips = page.evaluate("""(n) => performance.getEntriesByType('resource')
                    .filter((e) => e.name.endsWith('/scan/')).slice(-n)
                    .map((e) => e.responseEnd - e.startTime)""", args.scans)
                context.set_offline(True)
                page.locator("#scan-input").press_sequentially("SKU-BENCH", delay=0)
                page.keyboard.press("Enter")  # the first one finds out the server is gone
                page.wait_for_selector("body[data-online='0']")
                page.wait_for_timeout(200)
                offline = run_scans(page, args.scans, "SKU-BENCH", 200)
                browser.close()
        finally:
            server.terminate()
            server.wait(10)
    print(f"HTTP round trip of a scan (online): median {statistics.median(trips):6.1f} ms")
    db = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    for name, lat in (("online", online), ("offline", offline)):
        lat = sorted(lat)
        print(f"{name:8s} ({db}, {len(lat)} scans): median {statistics.median(lat):6.1f} ms, "
              f"p90 {lat[int(len(lat) * 0.9) - 1]:6.1f} ms, max {lat[-1]:6.1f} ms")


if __name__ == "__main__":
    main()
