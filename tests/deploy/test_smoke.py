"""Deploy smoke test (scenario 60): the shipped compose topology, without Docker, comes up
healthy and a packer signs in, claims, scans, sees the update and downloads labels, through
Caddy over HTTPS. CI runs it (.ci/run, through bin/test).

What the topology substitutes to run without Docker and without privileged ports is said in
tests/deploy/topology.py; deploy/README.md describes the same steps.
"""

import httpx
import pytest

from tests.deploy.clients import Terminal, next_message, scan_plan

pytestmark = pytest.mark.deploy


def test_the_compose_health_check_passes_verbatim(deployed):
    result = deployed.web.healthcheck()
    assert result.returncode == 0, result.stderr


def test_sign_in_claim_scan_see_the_update_and_download_labels(deployed, demo_password):
    terminal = Terminal(deployed)
    terminal.sign_in("packer", demo_password)
    lists = terminal.http.get("/api/v1/lists/").json()
    lists = lists["results"] if isinstance(lists, dict) else lists
    packing_list = next(pl for pl in lists if pl["name"] == "DHL_Orders")
    list_id = packing_list["id"]
    codes = scan_plan(terminal, list_id)

    with terminal.socket(list_id) as ws:
        snapshot = next_message(ws, "snapshot")
        assert snapshot["row"]["id"] == list_id
        token = terminal.claim(list_id, "STATION-1")
        next_message(ws, "update")  # the claim shows
        first = terminal.scan(list_id, token, codes[0], "smoke-1")
        assert first.status_code == 200, first.text
        assert first.json()["order"]["number"] == codes[0]
        item = terminal.scan(list_id, token, codes[1], "smoke-2")
        assert item.status_code == 200, item.text
        update = next_message(ws, "update")
        while (update["row"].get("last_scan") or {}).get("code") != codes[1]:
            update = next_message(ws, "update")
        assert update["row"]["id"] == list_id

    pdf = terminal.http.get(f"/api/v1/lists/{list_id}/labels.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert pdf.content.count(b"/Type /Page\n") + pdf.content.count(b"/Type /Page ") >= 1


def test_plain_http_is_redirected_to_https(deployed):
    answer = httpx.get(f"http://{deployed.caddy.site_name}:{deployed.caddy.http_port}/station/",
                       follow_redirects=False)
    assert answer.status_code in (301, 308)
    assert answer.headers["location"].startswith(f"https://{deployed.caddy.site_name}")


def test_probes_through_caddy_say_ok_and_nothing_more(deployed):
    client = httpx.Client(base_url=deployed.base, verify=deployed.caddy.ssl_context())
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok"}


def test_a_100_mb_anonymous_post_through_caddy_is_refused_without_spooling(deployed):
    from tests.test_body_limit import temp_bytes

    tmp = deployed.folder / "tmp"
    pids = [deployed.web.master_pid(), *deployed.web.worker_pids()]
    before = temp_bytes(tmp, pids)

    def body():
        for _ in range(100):
            yield b"\0" * (1024 * 1024)

    client = httpx.Client(base_url=deployed.base, verify=deployed.caddy.ssl_context())
    answer = client.post("/accounts/login/", content=body(),
                         headers={"Content-Length": str(100 * 1024 * 1024)})
    assert answer.status_code == 413
    assert answer.json()["code"] == "request_too_large"
    assert temp_bytes(tmp, pids) - before < 5 * 1024 * 1024
    assert client.get("/healthz").status_code == 200
