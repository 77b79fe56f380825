"""Deploy tests: the compose topology as plain processes (tests/deploy/topology.py).

Marked `deploy`: they need caddy, redis-server and PostgreSQL's server binaries, start their own
PostgreSQL, Redis, uvicorn workers and Caddy on ports 55000-55999, and take a minute or two.
bin/test runs them after the rest; locally they are skipped, with the reason, when a tool is
missing; in CI (CI=true) they are required. One topology serves the module's tests: the smoke
test first, then the faults, each of which ends with the topology healthy again.
"""

import logging
import secrets
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.deploy.topology import missing_tools, topology

HERE = Path(__file__).parent
logging.getLogger("httpx").setLevel(logging.WARNING)


def pytest_collection_modifyitems(config, items):
    missing = missing_tools()
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.deploy)
            if missing and not IN_CI:
                item.add_marker(pytest.mark.skip(
                    reason=f"needs {', '.join(missing)} (apt-get install caddy redis-server "
                           "postgresql); CI installs them and runs these"))


@pytest.fixture(scope="session")
def deployed():
    with topology() as top:
        yield top


@pytest.fixture(scope="session")
def demo_password(deployed):
    """The demo users (packer, packer2, supervisor, admin) with a fresh password."""
    password = secrets.token_urlsafe(16)
    deployed.manage(["python", "manage.py", "demo", "--reset-passwords"], DEMO_PASSWORD=password)
    return password
