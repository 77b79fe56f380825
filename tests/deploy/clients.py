"""What a station terminal does through Caddy: sign in, claim, scan, listen, download."""

import json
import ssl
from urllib.parse import urlsplit

import httpx
from websockets.sync.client import connect

from tests.deploy.topology import ROOT  # noqa: F401 - the folder these helpers work in


class Terminal:
    """A browser-like HTTPS client with a session cookie and the CSRF dance."""

    def __init__(self, top, timeout=30):
        self.top = top
        self.http = httpx.Client(base_url=top.base, verify=top.caddy.ssl_context(),
                                 timeout=timeout, follow_redirects=False)

    def csrf_headers(self):
        return {"X-CSRFToken": self.http.cookies.get("csrftoken", ""),
                "Referer": self.top.base + "/", "Origin": self.top.base}

    def sign_in(self, username, password):
        self.http.get("/accounts/login/").raise_for_status()
        answer = self.http.post("/accounts/login/", data={
            "method": "password", "username": username, "password": password,
            "csrfmiddlewaretoken": self.http.cookies.get("csrftoken", "")},
            headers={"Referer": self.top.base + "/accounts/login/"})
        assert answer.status_code == 302, (answer.status_code, answer.text[:500])
        return answer

    def post(self, path, body, **headers):
        return self.http.post(path, json=body, headers={**self.csrf_headers(), **headers})

    def claim(self, list_id, station):
        answer = self.post(f"/api/v1/lists/{list_id}/claim/", {"station": station})
        assert answer.status_code == 200, answer.text
        return answer.json()["token"]

    def scan(self, list_id, token, code, scan_id):
        return self.post(f"/api/v1/lists/{list_id}/scan/", {"code": code, "scan_id": scan_id},
                         **{"X-Claim-Token": token})

    def socket(self, list_id, timeout=10):
        """The list's WebSocket, as the station page opens it (cookie + Origin)."""
        url = f"{self.top.ws_base}/ws/lists/{list_id}/"
        context = ssl.create_default_context(cafile=str(self.top.caddy.root_certificate()))
        cookie = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        return connect(url, ssl=context, open_timeout=timeout,
                       additional_headers={"Cookie": cookie, "Origin": self.top.base},
                       server_hostname=urlsplit(url).hostname)


def next_message(ws, kind, timeout=10):
    """The next message of type `kind` (others skipped), or TimeoutError."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"no {kind} message in {timeout} s")
        message = json.loads(ws.recv(timeout=left))
        if message.get("type") == kind:
            return message


def scan_plan(terminal, list_id):
    """(code) sequence that packs every order of a list: order number, then each unit."""
    orders = terminal.http.get(f"/api/v1/lists/{list_id}/orders/").json()
    if isinstance(orders, dict):  # a paginated answer
        orders = orders["results"]
    codes = []
    for order in orders:
        codes.append(order["number"])
        for item in order["items"]:
            codes.extend([item["sku"]] * item["required"])
    return codes


def make_list(top, name, orders=200, units=2):
    """Import a CSV packing list for the demo client (manage.py import_list); its id."""
    path = top.folder / f"{name}.csv"
    rows = ["Order_Number,SKU,Product_Name,Quantity,Courier"]
    rows += [f"{name}-{n},SKU-{name}-{n % 7},Item {n},{units},DHL" for n in range(1, orders + 1)]
    path.write_text("\n".join(rows) + "\n")
    out = top.manage(["python", "manage.py", "import_list", "--client", "DEMO", "--json",
                      str(path)])
    result = json.loads(out[out.index("{"):])
    return result["lists"][0]["id"]


class ScanLoad:
    """Stations scanning through Caddy at a steady pace; every request's outcome is kept.

    A failed scan is a 5xx, or no answer at all (connection error, timeout). 4xx answers are
    kept apart (they would be a bug of this test, not a fault of the server).
    """

    def __init__(self, top, stations, pause=0.05):
        import threading

        self.top, self.stations, self.pause = top, stations, pause
        self.stop = threading.Event()
        self.records = []  # (station, started, ended, status or error text)
        self.threads = [threading.Thread(target=self.run, args=(s,), daemon=True)
                        for s in stations]

    def run(self, station):
        import itertools
        import time

        terminal, list_id, token, codes = station
        for n in itertools.count():
            if self.stop.is_set():
                return
            code = codes[n % len(codes)]
            started = time.monotonic()
            try:
                status = terminal.scan(list_id, token, code, f"load-{list_id}-{n}").status_code
            except httpx.HTTPError as exc:
                status = f"{type(exc).__name__}: {exc}"
            self.records.append((list_id, started, time.monotonic(), status))
            time.sleep(self.pause)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def failed(self, after=None):
        return [r for r in self.records if (after is None or r[1] >= after)
                and (not isinstance(r[3], int) or r[3] >= 500)]

    def refused(self):
        return [r for r in self.records if isinstance(r[3], int) and 400 <= r[3] < 500]

    def ok(self):
        return [r for r in self.records if r[3] == 200]
