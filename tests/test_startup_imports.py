"""What a server process loads at start-up: pandas only when a spreadsheet is read.

Every uvicorn worker imports the URLconf (and with it every view, the importers and the admin);
pandas + numpy cost about 33 MB of RSS per worker (bench/server_rss.py), and most workers never
read a spreadsheet.
"""

import json
import subprocess
import sys

from tests.test_settings import ROOT, run_python

PROBE = """
import json, sys, django
django.setup()
from packer.asgi import application
from django.urls import get_resolver
get_resolver().url_patterns  # imports every URLconf and view module
from django.test import Client
Client().get("/healthz")
loaded = sorted(m for m in ("pandas", "daphne", "twisted") if m in sys.modules)
print(json.dumps(loaded))
"""


def loaded(env=None, settings_module="packer.settings"):
    result = run_python(PROBE, env or {}, settings_module=settings_module)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_server_start_up_does_not_import_pandas(tmp_path):
    assert "pandas" not in loaded({"PACKER_VAR_DIR": str(tmp_path)})


def test_production_start_up_loads_neither_pandas_nor_daphne(tmp_path):
    mods = loaded({"PACKER_VAR_DIR": str(tmp_path), "SECRET_KEY": "t" * 60,
                   "ALLOWED_HOSTS": "testserver"}, settings_module="packer.production")
    assert mods == []


def test_reading_a_spreadsheet_still_works_in_a_fresh_process(tmp_path):
    code = (
        "import django; django.setup()\n"
        "from sessions.imports.tables import read_table\n"
        "t = read_table(b'Order_Number,SKU\\n1001,A\\n', 'x.csv')\n"
        "print(t.headers, t.rows)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120,
                            env={"PATH": "/usr/bin:/bin", "PACKER_VAR_DIR": str(tmp_path),
                                 "DJANGO_SETTINGS_MODULE": "packer.settings"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['Order_Number', 'SKU'] [['1001', 'A']]"
