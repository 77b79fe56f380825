"""Deploy smoke test (scenario 60): the shipped compose topology, without Docker, comes up
healthy and a packer signs in, claims, scans, sees the update and downloads labels, through
Caddy over HTTPS. CI runs it (.ci/run, through bin/test).

What the topology substitutes to run without Docker and without privileged ports is said in
tests/deploy/topology.py; deploy/README.md describes the same steps.
"""

import time

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


def test_a_scan_reaches_a_webhook_receiver_and_a_killed_deliverer_loses_nothing(
        deployed, demo_password):
    """The `webhooks` service (deliver_webhooks, as compose runs it) POSTs a signed
    `order.completed` to a local receiver; killed (SIGKILL) in the middle of a POST, the next
    process sends it again, with the same delivery id. It runs here with a 3 s POST timeout,
    so the lease of the killed delivery runs out in 11 s, not 25."""
    import json

    from tests.deploy.clients import make_list
    from tests.webhook_receiver import SECRET, Receiver, verify

    receiver = Receiver()
    try:
        deployed.webhooks.stop()
        fast = {"PACKER_WEBHOOK_TIMEOUT_SECONDS": "3", "PACKER_WEBHOOK_POLL_SECONDS": "1"}
        deployed.webhooks.start(**fast)
        deployed.manage(["python", "manage.py", "shell", "-c", (
            "from profiles.models import Client, Station, Webhook; "
            "Station.objects.get_or_create(name='STATION-WH'); "  # the fault tests hold 2 and 3
            f"Webhook.objects.create(client=Client.objects.get(code='DEMO'), "
            f"url='{receiver.url}', secret='{SECRET}')")])
        list_id = make_list(deployed, "WH", orders=2, units=1)
        time.sleep(6)  # the web workers re-read who wants what every 5 s
        terminal = Terminal(deployed)
        terminal.sign_in("packer2", demo_password)
        token = terminal.claim(list_id, "STATION-WH")
        codes = scan_plan(terminal, list_id)
        for n, code in enumerate(codes[:2]):
            assert terminal.scan(list_id, token, code, f"wh-{n}").status_code == 200

        assert receiver.wait_for(1, 30), "no webhook arrived"
        first = receiver.requests[0]
        assert first["headers"]["X-Packer-Event"] == "order.completed"
        assert verify(first)
        assert json.loads(first["body"])["data"]["order"]["number"] == codes[0]

        receiver.delay = 60  # the next POST hangs ...
        for n, code in enumerate(codes[2:4], start=2):
            assert terminal.scan(list_id, token, code, f"wh-{n}").status_code == 200
        assert receiver.wait_for(2, 30), "the second webhook was not sent"
        deployed.webhooks.kill()  # ... and the process dies in the middle of it
        receiver.delay = 0
        deployed.webhooks.start(**fast)
        assert receiver.wait_for(3, 40), "the killed delivery was never sent again"
        again, lost = receiver.requests[2], receiver.requests[1]
        assert again["headers"]["X-Packer-Delivery"] == lost["headers"]["X-Packer-Delivery"]
        assert again["body"] == lost["body"] and verify(again)
        assert json.loads(again["body"])["data"]["order"]["number"] == codes[2]
    finally:
        receiver.close()
        deployed.webhooks.stop()
        deployed.webhooks.start()
