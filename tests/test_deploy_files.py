"""The shipped deployment files agree with each other (the deploy smoke test runs them).

No Docker engine here: what can be checked without building is checked on the files - the
health check's host is allowed, secrets and local data stay out of the image, and the image
installs from the same lock as bin/setup and CI.
"""

import fnmatch
import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.deploy.topology import compose, compose_env, env_example, healthcheck_command

ROOT = Path(__file__).resolve().parent.parent


def healthcheck_host():
    command = " ".join(healthcheck_command())
    url = re.search(r"https?://[^'\"]+", command).group(0)
    return urlsplit(url).hostname


@pytest.mark.parametrize("source", ["compose default", "deploy/env.example"])
def test_the_web_health_check_host_is_allowed(source):
    dotenv = {} if source == "compose default" else env_example()
    env = compose_env({**dotenv, "SECRET_KEY": "s" * 60})
    assert healthcheck_host() in env["ALLOWED_HOSTS"].split(",")


def dockerignored(path):
    patterns = [line.strip().rstrip("/") for line in (ROOT / ".dockerignore").read_text()
                .splitlines() if line.strip() and not line.startswith("#")]
    parts = Path(path).parts
    return any(fnmatch.fnmatch(path, p) or fnmatch.fnmatch(parts[0], p)
               or any(fnmatch.fnmatch(part, p.removeprefix("**/")) for part in parts)
               for p in patterns)


@pytest.mark.parametrize("path", [".env", "var/packer.sqlite3", "var/backups/x.dump",
                                  ".venv/bin/python", ".git/config", ".tools/uv/bin/uv",
                                  "sessions/__pycache__/models.cpython-311.pyc",
                                  ".pytest_cache/v/x", ".ruff_cache/x", "staticfiles/app.css"])
def test_secrets_local_data_and_caches_stay_out_of_the_image(path):
    assert dockerignored(path)


@pytest.mark.parametrize("path", ["manage.py", "uv.lock", "pyproject.toml", "bin/uv",
                                  "deploy/start-web.sh", "sessions/models.py",
                                  "deploy/env.example"])
def test_what_the_image_needs_is_sent(path):
    assert not dockerignored(path)


def test_one_lock_file_used_by_setup_ci_and_image():
    assert not list(ROOT.glob("requirements*.txt"))
    assert "uv sync --frozen" in (ROOT / "bin" / "setup").read_text()
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "COPY pyproject.toml uv.lock" in dockerfile
    assert "uv sync --frozen --no-dev" in dockerfile
    assert "bin/setup --dev" in (ROOT / "bin" / "test").read_text()


def test_daphne_is_no_runtime_dependency():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    runtime = " ".join(project["project"]["dependencies"]).lower()
    assert "daphne" not in runtime
    assert "xlrd" not in runtime
    groups = project["dependency-groups"]
    assert any("daphne" in str(dep) for dep in groups["runserver"])
    assert not any("factory" in str(dep) for dep in groups["dev"])


def test_the_compose_file_gives_web_an_init_and_the_start_script():
    web = compose()["services"]["web"]
    assert web["command"] == ["deploy/start-web.sh"]
    assert web.get("init") is True


def test_start_script_is_valid_sh():
    subprocess.run(["sh", "-n", str(ROOT / "deploy" / "start-web.sh")], check=True)


@pytest.mark.skipif(not shutil.which("caddy"), reason="needs caddy (apt-get install caddy)")
def test_the_caddyfile_caps_bodies_and_probes_liveness():
    adapted = subprocess.run(["caddy", "adapt", "--config", str(ROOT / "deploy" / "Caddyfile"),
                              "--adapter", "caddyfile"], capture_output=True, text=True,
                             check=True, env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"})
    config = json.loads(adapted.stdout)
    handlers = json.dumps(config)
    # 25 MB (Caddy counts 10^6), above PACKER_IMPORT_MAX_BYTES (20 MiB) + the upload envelope.
    assert '"max_size": 25000000' in handlers
    assert '"uri": "/healthz"' in handlers
    assert '"try_duration": 15000000000' in handlers
