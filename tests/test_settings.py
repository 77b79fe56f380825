"""Settings switch by environment: SQLite/in-memory by default, PostgreSQL/Redis by URL,
and a production mode that passes `check --deploy`."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "options": db.get("OPTIONS", {}),
    "conn_max_age": db.get("CONN_MAX_AGE"), "layer": settings.CHANNEL_LAYERS["default"],
    "debug": settings.DEBUG, "tz": settings.TIME_ZONE,
}, default=str))
"""


def run_python(code, env_overrides, settings_module="packer.settings", args=()):
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG",
                        "DJANGO_ALLOW_ASYNC_UNSAFE", "CHANNEL_LAYER"}}
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = settings_module
    cmd = [sys.executable, "-c", code] if code else [sys.executable, "manage.py", *args]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def probe(env_overrides):
    result = run_python(PROBE, env_overrides)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_default_is_sqlite_immediate_wal_and_in_memory_layer(tmp_path):
    conf = probe({"PACKER_VAR_DIR": str(tmp_path)})
    assert conf["engine"] == "django.db.backends.sqlite3"
    assert conf["name"] == str(tmp_path / "packer.sqlite3")
    assert conf["options"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in conf["options"]["init_command"]
    assert conf["layer"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"
    assert conf["tz"] == "Europe/Sofia"


def test_sqlite_file_really_runs_in_wal_mode(tmp_path):
    code = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "cur = connection.cursor(); cur.execute('PRAGMA journal_mode'); print(cur.fetchone()[0])"
    )
    result = run_python(code, {"PACKER_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "wal"


def test_database_url_switches_to_postgresql_with_pool():
    conf = probe({"DATABASE_URL": "postgres://packer:pw@db.example:5432/packer"})
    assert conf["engine"] == "django.db.backends.postgresql"
    assert conf["name"] == "packer"
    assert conf["conn_max_age"] == 0
    assert conf["options"]["pool"]["max_size"] >= 1


def test_redis_url_switches_channel_layer_to_redis():
    conf = probe({"REDIS_URL": "redis://cache.example:6379/3"})
    assert conf["layer"]["BACKEND"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert conf["layer"]["CONFIG"]["hosts"] == ["redis://cache.example:6379/3"]
    conf = probe({"REDIS_URL": "redis://cache.example:6379/3", "CHANNEL_LAYER": "core"})
    assert conf["layer"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"


def test_production_refuses_to_start_without_secret_key():
    result = run_python(PROBE, {}, settings_module="packer.production")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.slow
def test_production_passes_check_deploy(tmp_path):
    result = run_python(
        None,
        {"SECRET_KEY": "k" * 20 + "-production-test-secret-0123456789-abcdefghijklmnop",
         "PACKER_VAR_DIR": str(tmp_path), "ALLOWED_HOSTS": "packer.local"},
        settings_module="packer.production",
        args=("check", "--deploy", "--fail-level", "WARNING"),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_pooled_postgresql_connections_are_checked_before_use():
    """After a PostgreSQL restart a dead pooled connection is replaced, not used (a 500)."""
    code = (
        "import json, django; django.setup()\n"
        "from django.conf import settings\n"
        "print(json.dumps(settings.DATABASES['default']['CONN_HEALTH_CHECKS']))"
    )
    result = run_python(code, {"DATABASE_URL": "postgres://packer:pw@db.example:5432/packer"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "true"
