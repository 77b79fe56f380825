#!/bin/sh
# Several uvicorn worker processes; Redis carries group messages between them
# (the in-memory channel layer is per process). --lifespan off: Django has no lifespan handler.
exec uvicorn packer.asgi:application \
  --host 0.0.0.0 --port 8000 \
  --workers "${WEB_WORKERS:-4}" \
  --lifespan off \
  --proxy-headers --forwarded-allow-ips='*' \
  --log-level "${UVICORN_LOG_LEVEL:-info}"
