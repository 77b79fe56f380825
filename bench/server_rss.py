"""Resident memory of one uvicorn server process after start-up and a few requests.

Not a test: starts `uvicorn packer.asgi:application` (one process, production settings with a
throw-away secret and static files collected into a temporary folder; DATABASE_URL/REDIS_URL
from the environment, SQLite otherwise), asks /healthz, the sign-in page, /station/ and two API
URLs (which loads every URLconf and view module), then reads VmRSS from /proc and which heavy
libraries the process loaded.
    .venv/bin/python bench/server_rss.py [--port 55810] [--runs 3]
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pandas", "numpy", "openpyxl", "python_calamine", "PIL", "qrcode", "barcode")


def get(url):
    try:
        urllib.request.urlopen(url, timeout=5).read()
    except urllib.error.HTTPError:
        pass


def rss_kb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def loaded_modules(pid):
    """Heavy packages whose shared objects or files the process has mapped."""
    maps = Path(f"/proc/{pid}/maps").read_text()
    return [name for name in HEAVY if f"/site-packages/{name}/" in maps
            or f"/site-packages/{name.lower()}" in maps]


def production_env(static_root):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "packer.production",
           "SECRET_KEY": "bench-only-" + "x" * 50, "SECURE_SSL_REDIRECT": "false",
           "STATIC_ROOT": static_root}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                   cwd=ROOT, env=env, check=True)
    return env


def one_run(port, env):
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "packer.asgi:application", "--port", str(port),
         "--lifespan", "off", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                get(base + "/healthz")
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        for path in ("/accounts/login/", "/api/v1/lists/", "/api/v1/imports/file/",
                     "/station/"):
            get(base + path)
        time.sleep(0.5)
        return rss_kb(proc.pid), loaded_modules(proc.pid)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=55810)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="packer-rss-") as static_root:
        env = production_env(static_root)
        results = [one_run(args.port, env) for _ in range(args.runs)]
    rss = [kb / 1024 for kb, _ in results]
    print(f"server RSS after start-up: median {statistics.median(rss):.1f} MB "
          f"(runs: {', '.join(f'{r:.1f}' for r in rss)}); heavy modules mapped: "
          f"{', '.join(results[-1][1]) or 'none'}")


if __name__ == "__main__":
    main()
