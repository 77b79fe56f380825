"""Command barcodes (issue 13): the printable sheet decodes to the codes, a command code is never
an item or an order, and the station gets the one list of commands from its config."""

import pytest
from django.test import override_settings

from profiles.models import SkuMapping
from sessions.commands import COMMANDS, client_config, code_of, command_for
from sessions.errors import CommandCode
from sessions.models import ScanEvent
from sessions.scanning.codes import scan
from tests.api_helpers import claim, role_client
from tests.api_helpers import scan as api_scan
from tests.builders import build_list, build_mapping, build_station, claimed
from tests.test_labels import decode, pdf_pages

pytestmark = pytest.mark.django_db

EXPECTED = {"skip": "CMD:SKIP", "undo": "CMD:UNDO", "end": "CMD:END", "release": "CMD:RELEASE",
            "keep_extra": "CMD:KEEP-EXTRA", "remove_extra": "CMD:REMOVE-EXTRA",
            "reprint": "CMD:REPRINT", "slip": "CMD:SLIP", "new_box": "CMD:NEW-BOX",
            "problem": "CMD:PROBLEM", "sign_out": "CMD:SIGN-OUT"}


def test_every_command_of_the_issue_has_its_code():
    assert {c.name: code_of(c) for c in COMMANDS} == EXPECTED
    assert command_for(" cmd:new-box ").name == "new_box"
    assert command_for("CMD:NOPE") is None and command_for("SKIP") is None


def test_the_sheet_pdf_decodes_to_every_command_code():
    api = role_client("packer")
    response = api.get("/api/v1/commands/sheet.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="command_sheet.pdf"' in response["Content-Disposition"]
    ((_box, image),) = pdf_pages(response.content)
    found = {text for fmt, text in decode(image) if fmt == "Code128"}
    assert found == set(EXPECTED.values())


@override_settings(PACKER_COMMAND_PREFIX="#CMD/")
def test_the_prefix_is_a_setting():
    assert code_of(COMMANDS[0]) == "#CMD/SKIP"
    assert client_config()["codes"]["#CMD/SKIP"] == "skip"


def test_a_command_code_is_never_looked_up_as_an_item_or_an_order():
    packing_list = build_list({"CMDSKIP": [("CMDSKIP", 1)], "O-2": [("A", 1)]})
    build_mapping(packing_list.session.client, "CMDUNDO", "A")
    claim = claimed(packing_list)
    with pytest.raises(CommandCode):
        scan(claim.list_id, token=claim.token, code="CMD:SKIP")  # would find order CMDSKIP
    scan(claim.list_id, token=claim.token, code="O-2")
    for code in ("CMD:UNDO", "cmd:skip", "CMD:UNKNOWN"):
        with pytest.raises(CommandCode):
            scan(claim.list_id, token=claim.token, code=code)
    assert not ScanEvent.objects.filter(raw_code__istartswith="CMD:").exists()
    assert SkuMapping.objects.count() == 1


def test_the_api_answers_a_command_scan_with_its_code():
    packing_list = build_list({"O-1": [("A", 1)]})
    build_station("PC-9")
    api = role_client("packer")
    token = claim(api, packing_list.pk, "PC-9").json()["token"]
    response = api_scan(api, packing_list.pk, token, "CMD:SKIP")
    assert response.status_code == 400
    assert response.json()["code"] == "command_code"
