"""The client's real address: X-Forwarded-For and X-Forwarded-Proto count only when the request
comes from a proxy named in PACKER_TRUSTED_PROXIES.

The sign-in lockout (django-axes) counts failures per username and address. uvicorn used to
take any X-Forwarded-For as the client address (`--forwarded-allow-ips='*'`), so a made-up
header sent straight to uvicorn gave every guess a new address and a 4-digit PIN could be
guessed without ever locking. Now uvicorn passes the peer's address through untouched
(`--no-proxy-headers`, deploy/start-web.sh) and this middleware, first in MIDDLEWARE, decides:

- peer not a trusted proxy: REMOTE_ADDR stays the peer's, both forwarded headers are dropped;
- peer a trusted proxy (Caddy): the client is the right-most X-Forwarded-For address that is
  not itself a trusted proxy (Caddy appends the address it saw; anything left of it came from
  the client and proves nothing).
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.utils.deprecation import MiddlewareMixin

FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO")


@lru_cache(maxsize=8)
def _networks(entries):
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries
                 if entry.strip())


def _address(text):
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def is_trusted(text):
    address = _address(text or "")
    return address is not None and any(
        address in network for network in _networks(tuple(settings.PACKER_TRUSTED_PROXIES)))


def client_address(meta):
    """The client's address for a request's META (see the module docstring)."""
    peer = meta.get("REMOTE_ADDR", "")
    if not is_trusted(peer):
        return peer
    hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        address = _address(hop)
        if address is None:
            return peer  # a mangled header: the proxy's own address is all that is known
        if not is_trusted(hop):
            return str(address)
    return peer


class TrustedProxyMiddleware(MiddlewareMixin):
    """Sets REMOTE_ADDR to the client's address; forwarded headers only from trusted proxies.
    (MiddlewareMixin: it runs in ASGI's event loop too, without a thread hop per request.)"""

    def process_request(self, request):
        meta = request.META
        trusted = is_trusted(meta.get("REMOTE_ADDR", ""))
        meta["REMOTE_ADDR"] = client_address(meta)
        if not trusted:
            for header in FORWARDED_HEADERS:
                meta.pop(header, None)
