"""The compose topology as plain processes, for the deploy smoke test and the fault tests.

Every value comes from docker-compose.yml, deploy/env.example, deploy/Dockerfile and
deploy/Caddyfile, parsed here, not restated. What has to differ without Docker is substituted,
and only that:

- service names and ports: `db:5432`, `redis:6379` and `web:8000` become 127.0.0.1 and free
  ports in 55000-55999 (the health-check command and the Caddyfile's upstream get the same
  port substitution; the health check is otherwise run verbatim, `python` being the venv's, as
  `python` is the image's venv in the image);
- Caddy listens on non-privileged ports: a global options block (http_port, https_port, admin
  off, skip_install_trust) is put before the shipped Caddyfile, which follows unchanged apart
  from the upstream address;
- paths of the image (/var/lib/packer, the collected static files) become temporary folders.

PostgreSQL and Redis are this topology's own instances (never the shared ones), so the fault
tests may stop and restart them.
"""

import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / "deploy" / "env.example"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
CADDYFILE = ROOT / "deploy" / "Caddyfile"
VENV_BIN = Path(sys.executable).parent
PG_BINS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


# --- the files ------------------------------------------------------------------------------

def compose():
    return yaml.safe_load(COMPOSE.read_text())


def env_example():
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def interpolate(value, env):
    """Compose's ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error} and $$."""
    def one(match):
        name, op, arg = match.group(1), match.group(2) or "", match.group(3) or ""
        current = env.get(name)
        if op == ":-":
            return current if current else arg
        if op == "-":
            return current if current is not None else arg
        if op in (":?", "?"):
            if not current if op == ":?" else current is None:
                raise ValueError(f"compose: {name}: {arg}")
            return current
        return current or ""
    text = re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-|-|:\?|\?)([^}]*))?\}", one, str(value))
    return text.replace("$$", "$")


def compose_env(dotenv, service="web"):
    """The service's environment as compose would give it, with `dotenv` as the .env file."""
    raw = compose()["services"][service].get("environment") or {}
    return {key: interpolate(value, dotenv) for key, value in raw.items()}


def healthcheck_command(service="web"):
    """The health check's argv (CMD form) or shell line (CMD-SHELL form), as in compose."""
    test = compose()["services"][service]["healthcheck"]["test"]
    kind, rest = test[0], test[1:]
    if kind == "CMD":
        return list(rest)
    if kind == "CMD-SHELL":
        return ["sh", "-c", rest[0]]
    raise ValueError(f"unknown health check form {kind}")


def collectstatic_command():
    """The Dockerfile's collectstatic step (without the build-only SECRET_KEY assignment)."""
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    match = re.search(r"python manage\.py collectstatic[^&\n]*", text)
    return match.group(0).split()


def missing_tools():
    tools = {"caddy": shutil.which("caddy"), "redis-server": shutil.which("redis-server"),
             "redis-cli": shutil.which("redis-cli"),
             "PostgreSQL server (initdb)": PG_BINS and (PG_BINS[0] / "initdb").exists()}
    return [name for name, found in tools.items() if not found]


def free_port():
    """A free TCP port in 55000-55999 (the range the project's tests use)."""
    for _ in range(200):
        port = 55000 + secrets.randbelow(1000)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 55000-55999")


def wait_for(check, timeout, what):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception as exc:
            last = exc
        time.sleep(0.2)
    raise RuntimeError(f"{what} not ready in {timeout} s (last error: {last!r})")


# --- the services ---------------------------------------------------------------------------

class Postgres:
    """A throw-away cluster with the compose db's user, password and database."""

    def __init__(self, folder, user, password, database):
        self.folder, self.port = folder, free_port()
        self.user, self.password, self.database = user, password, database
        self.data = folder / "data"
        self.log = folder / "postgres.log"
        self.bin = PG_BINS[0]

    def as_owner(self, argv):
        """initdb and postgres refuse to run as root: run them as the postgres user then."""
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *argv]
        return argv

    def pg_ctl(self, *args):
        subprocess.run(self.as_owner([str(self.bin / "pg_ctl"), "-D", str(self.data),
                                      "-l", str(self.log), *args]),
                       check=True, capture_output=True, timeout=120)

    def start(self):
        if not self.data.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(self.folder, "postgres")
            subprocess.run(self.as_owner([str(self.bin / "initdb"), "-D", str(self.data), "-U",
                                          "postgres", "--auth-local=trust",
                                          "--auth-host=scram-sha-256", "-E", "UTF8"]),
                           check=True, capture_output=True, timeout=120)
            with open(self.data / "postgresql.conf", "a") as conf:
                conf.write(f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                           f"unix_socket_directories = '{self.folder}'\nfsync = off\n"
                           "synchronous_commit = off\nfull_page_writes = off\n")
            self.pg_ctl("start", "-w")
            self.psql(f"CREATE ROLE {self.user} LOGIN PASSWORD '{self.password}'")
            self.psql(f"CREATE DATABASE {self.database} OWNER {self.user}")
        else:
            self.pg_ctl("start", "-w")

    def psql(self, sql):
        subprocess.run(["psql", "-h", str(self.folder), "-p", str(self.port), "-U", "postgres",
                        "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True, capture_output=True)

    def restart(self):
        self.pg_ctl("restart", "-m", "fast", "-w")

    def stop(self):
        if self.data.exists():
            subprocess.run(self.as_owner([str(self.bin / "pg_ctl"), "-D", str(self.data),
                                          "stop", "-m", "immediate"]), capture_output=True)

    def healthy(self):
        """The compose db health check (pg_isready), pointed at this cluster by PGHOST/PGPORT."""
        env = {**os.environ, "PGHOST": "127.0.0.1", "PGPORT": str(self.port)}
        return subprocess.run(healthcheck_command("db"), env=env,
                              capture_output=True).returncode == 0


class Redis:
    """redis-server with the compose command's options, on its own port."""

    def __init__(self, folder):
        self.folder, self.port, self.proc = folder, free_port(), None

    def start(self):
        command = compose()["services"]["redis"]["command"]
        self.proc = subprocess.Popen([*command, "--port", str(self.port), "--bind", "127.0.0.1",
                                      "--dir", str(self.folder)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.healthy, 20, "redis")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def healthy(self):
        """The compose redis health check (`redis-cli ping`) with `-p <port>` added."""
        program, *args = healthcheck_command("redis")
        out = subprocess.run([program, "-p", str(self.port), *args], capture_output=True,
                             text=True)
        return out.returncode == 0 and "PONG" in out.stdout


class Web:
    """deploy/start-web.sh (the compose web command) with the compose web environment."""

    def __init__(self, env, folder):
        self.env, self.folder, self.proc = env, folder, None
        self.port = int(env["WEB_PORT"])
        self.log = folder / "web.log"

    def start(self):
        command = compose()["services"]["web"]["command"]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(self.healthy, 90, "web (compose health check)")

    def healthcheck(self):
        """The compose web health check, verbatim but for the port."""
        argv = [arg.replace("127.0.0.1:8000", f"127.0.0.1:{self.port}")
                for arg in healthcheck_command("web")]
        return subprocess.run(argv, env=self.env, cwd=ROOT, capture_output=True, text=True,
                              timeout=30)

    def healthy(self):
        return self.healthcheck().returncode == 0

    def master_pid(self):
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True)
        return int(out.stdout.split()[0])

    def worker_pids(self):
        out = subprocess.run(["pgrep", "-P", str(self.master_pid())], capture_output=True,
                             text=True)
        return [int(pid) for pid in out.stdout.split()]

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


class Caddy:
    """Caddy with deploy/Caddyfile: non-privileged ports, the upstream at the web's port."""

    def __init__(self, folder, env, web_port):
        self.folder, self.web_port = folder, web_port
        self.http_port, self.https_port = free_port(), free_port()
        self.env = {**env, "XDG_DATA_HOME": str(folder / "data"),
                    "XDG_CONFIG_HOME": str(folder / "config"), "HOME": str(folder)}
        self.config = folder / "Caddyfile"
        self.proc = None

    def caddyfile(self):
        shipped = CADDYFILE.read_text()
        assert "web:8000" in shipped, "the Caddyfile's upstream changed: update the substitution"
        return ("# deploy/Caddyfile, for a test without privileged ports (tests/deploy).\n"
                f"{{\n\thttp_port {self.http_port}\n\thttps_port {self.https_port}\n"
                "\tadmin off\n\tskip_install_trust\n}\n\n"
                + shipped.replace("web:8000", f"127.0.0.1:{self.web_port}"))

    def start(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        self.config.write_text(self.caddyfile())
        with open(self.folder / "caddy.log", "ab") as log:
            self.proc = subprocess.Popen(["caddy", "run", "--config", str(self.config),
                                          "--adapter", "caddyfile"], env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(lambda: self.root_certificate().exists() and self.tls_ok(), 30, "caddy")

    def root_certificate(self):
        return self.folder / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"

    def ssl_context(self):
        return ssl.create_default_context(cafile=str(self.root_certificate()))

    def tls_ok(self):
        with socket.create_connection(("127.0.0.1", self.https_port), timeout=2) as sock:
            with self.ssl_context().wrap_socket(sock, server_hostname=self.site_name):
                return True

    @property
    def site_name(self):
        return self.env["SITE_ADDRESS"]

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


# --- all of it ------------------------------------------------------------------------------

class Webhooks:
    """The compose `webhooks` service: its command, with the app's environment."""

    def __init__(self, env, folder):
        self.env, self.folder, self.proc = env, folder, None
        self.log = folder / "webhooks.log"

    def start(self, **env):
        command = compose()["services"]["webhooks"]["command"]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(command, cwd=ROOT, env={**self.env, **env}, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(lambda: b"Delivering webhooks" in self.log.read_bytes(), 60,
                 "webhooks (deliver_webhooks)")

    def kill(self):
        """SIGKILL: the process dies at once, mid-delivery or not."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


class Topology:
    """db, redis, migrate, collectstatic, web (start-web.sh), webhooks (deliver_webhooks),
    proxy (Caddy), in compose order."""

    def __init__(self, folder, workers=None):
        self.folder = Path(folder)
        dotenv = env_example()
        dotenv["SECRET_KEY"] = secrets.token_urlsafe(64)  # as env.example says to make one
        self.dotenv = dotenv
        db_env = compose_env(dotenv, "db")
        self.db = Postgres(self.folder / "pg", db_env["POSTGRES_USER"],
                           db_env["POSTGRES_PASSWORD"], db_env["POSTGRES_DB"])
        self.redis = Redis(self.folder)
        env = compose_env(dotenv, "web")
        if workers:
            env["WEB_WORKERS"] = str(workers)
        self.app_env = {
            **{k: v for k, v in os.environ.items() if k not in {
                "DATABASE_URL", "REDIS_URL", "REDIS_PREFIX", "DJANGO_SETTINGS_MODULE", "DEBUG",
                "DJANGO_ALLOW_ASYNC_UNSAFE", "SECRET_KEY", "ALLOWED_HOSTS"}},
            **env,
            "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "DATABASE_URL": self.local(env["DATABASE_URL"], "db:5432", self.db.port),
            "REDIS_URL": self.local(env["REDIS_URL"], "redis:6379", self.redis.port),
            # The image's folders (deploy/Dockerfile ENV and WORKDIR), here temporary.
            "PACKER_VAR_DIR": str(self.folder / "var"),
            "STATIC_ROOT": str(self.folder / "staticfiles"),
            "TMPDIR": str(self.folder / "tmp"),
            "WEB_HOST": "127.0.0.1",
            "WEB_PORT": str(free_port()),
            "UVICORN_LOG_LEVEL": "warning",
        }
        (self.folder / "tmp").mkdir(parents=True, exist_ok=True)
        self.web = Web(self.app_env, self.folder)
        self.webhooks = Webhooks(self.app_env, self.folder)
        proxy_env = compose()["services"]["proxy"].get("environment") or {}
        self.caddy = Caddy(self.folder / "caddy", {
            **os.environ, **{k: interpolate(v, dotenv) for k, v in proxy_env.items()}},
            self.web.port)

    @staticmethod
    def local(url, service_address, port):
        assert service_address in url, f"{url} no longer names {service_address}"
        return url.replace(service_address, f"127.0.0.1:{port}")

    def manage(self, argv, **env):
        """A compose-style one-shot: `python manage.py …` with the app's environment."""
        result = subprocess.run(argv, cwd=ROOT, env={**self.app_env, **env},
                                capture_output=True, text=True, timeout=300)
        if result.returncode:
            raise RuntimeError(f"{argv} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def up(self):
        self.db.start()
        wait_for(self.db.healthy, 30, "db (compose health check)")
        self.redis.start()
        self.manage(compose()["services"]["migrate"]["command"])
        self.manage(collectstatic_command())
        self.web.start()
        self.webhooks.start()
        self.caddy.start()
        return self

    def down(self):
        for part in (self.caddy, self.webhooks, self.web, self.redis, self.db):
            try:
                part.stop()
            except Exception:
                pass

    # --- clients ----------------------------------------------------------------------------

    @property
    def base(self):
        return f"https://{self.caddy.site_name}:{self.caddy.https_port}"

    @property
    def ws_base(self):
        return f"wss://{self.caddy.site_name}:{self.caddy.https_port}"


@contextmanager
def resolving(name, address="127.0.0.1"):
    """Make `name` resolve to `address` in this process (what DNS does for the terminals)."""
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        return real(address if host == name else host, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo
    try:
        yield
    finally:
        socket.getaddrinfo = real


@contextmanager
def topology(workers=None):
    folder = Path(tempfile.mkdtemp(prefix="packer-deploy-"))
    os.chmod(folder, 0o755)
    top = Topology(folder, workers=workers)
    try:
        top.up()
        with resolving(top.caddy.site_name):
            yield top
    finally:
        top.down()
        shutil.rmtree(folder, ignore_errors=True)
