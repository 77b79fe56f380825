#!/bin/sh
# The web service: uvicorn with WEB_WORKERS worker processes (default 4) on WEB_HOST:WEB_PORT
# (default 0.0.0.0:8000). Redis carries group messages between the workers (the in-memory
# channel layer is per process). --lifespan off: Django has no lifespan handler.
#
# Process handling (deploy/README.md, "Processes and restarts"): this script stays as the parent
# of the uvicorn master, which runs in its own process group together with its workers. TERM,
# INT and HUP are passed to the master (graceful stop). Whenever the master is gone - a clean
# stop, a crash or `kill -9` - the script kills whatever is left of that group, so no orphaned
# worker keeps the port ("Address already in use" on the next start), and exits with the
# master's status so that compose (restart: unless-stopped) or systemd starts it again.
#
# --no-proxy-headers: uvicorn passes the peer's address on untouched; the app believes
# X-Forwarded-For only from PACKER_TRUSTED_PROXIES (packer/proxies.py), so a made-up header
# sent straight to this port cannot dodge the sign-in lockout.
set -u

setsid uvicorn packer.asgi:application \
  --host "${WEB_HOST:-0.0.0.0}" --port "${WEB_PORT:-8000}" \
  --workers "${WEB_WORKERS:-4}" \
  --lifespan off \
  --no-proxy-headers \
  --log-level "${UVICORN_LOG_LEVEL:-info}" &
master=$!

forward() {
  kill -s "$1" "$master" 2>/dev/null || true
}
trap 'forward TERM' TERM
trap 'forward INT' INT
trap 'forward HUP' HUP

status=0
# `wait` returns early when a trapped signal arrives: wait again until the master has exited.
while :; do
  wait "$master"
  status=$?
  kill -0 "$master" 2>/dev/null || break
done

# The master's process group: its workers, if any survived it.
kill -s KILL -- "-$master" 2>/dev/null || true
exit "$status"
