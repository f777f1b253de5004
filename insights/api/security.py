"""Who may reach the local API, and how: the Host check, the token rule, the bearer scheme.

- **Host header** (DNS rebinding): a page in the user's browser can make its own host name
  resolve to 127.0.0.1 and then read the loopback API as "same origin". The browser still
  sends the page's host name in ``Host``, so the server answers only the names it is bound
  to (:func:`allowed_hosts`); anything else gets a 421 problem document. More names are
  added with ``--allow-host`` or ``INSIGHTS_API_ALLOWED_HOSTS`` (comma-separated; ``*``
  turns the check off, for a server behind a reverse proxy that checks it itself).
- **Token**: ``INSIGHTS_API_TOKEN`` must be 16 to 512 visible ASCII characters (RFC 6750's
  ``b64token`` is narrower still); a token no HTTP client can send byte for byte (spaces,
  accents) is refused at start instead of failing every request with 401.
- **Scheme**: ``Authorization: Bearer <token>``, the scheme compared case-insensitively
  (RFC 7235 section 2.1: "auth-scheme is case-insensitive").
"""

from __future__ import annotations

import hmac
import ipaddress
import json

from insights import InsightsError, settings

HOSTS_ENV = settings.API_ALLOWED_HOSTS_ENV
MIN_TOKEN_LEN = 16
MAX_TOKEN_LEN = 512
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def bare_host(host: str) -> str:
    """``[::1]`` -> ``::1``; other names as given, lower-cased."""
    h = host.strip().lower()
    if h.startswith("[") and h.endswith("]"):
        h = h[1:-1]
    return h


def is_loopback(host: str) -> bool:
    """``localhost`` or an address in 127.0.0.0/8 or ::1 (brackets allowed)."""
    h = bare_host(host)
    if h == "localhost":
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


def is_wildcard(host: str) -> bool:
    """``0.0.0.0`` or ``::``: every interface."""
    try:
        return ipaddress.ip_address(bare_host(host)).is_unspecified
    except ValueError:
        return False


def allowed_hosts(bind: str, extra: list[str] | None = None) -> frozenset[str] | None:
    """The ``Host`` names (without port) the server answers; ``None``: any.

    Bound to loopback: the loopback names and the bound address. Bound to one address:
    that address. Bound to every interface (``0.0.0.0``, token required): the names in
    ``extra``/``INSIGHTS_API_ALLOWED_HOSTS``, and any when none is given (the token is
    what guards such a server; a browser page never holds it).
    """
    names = [*(extra or []), *(settings.current().api_allowed_hosts or "").split(",")]
    names = [bare_host(n) for n in names if n.strip()]
    if "*" in names:
        return None
    base = set(names) | {bare_host(bind)}
    if is_loopback(bind):
        base |= set(LOOPBACK_NAMES)
    elif is_wildcard(bind):
        if not names:
            return None
        base.discard(bare_host(bind))
    return frozenset(base)


def host_of(header: str) -> str:
    """The name in a ``Host`` header value, without port: ``[::1]:8000`` -> ``::1``."""
    h = header.strip().lower()
    if h.startswith("["):
        return h[1 : h.find("]")] if "]" in h else h
    return h.rsplit(":", 1)[0] if h.count(":") == 1 else h


def check_token(token: str | None, env: str) -> str | None:
    """The token, or ``None`` when unset; :class:`InsightsError` when no client could send it."""
    if token is None or token == "":
        return None
    if not (MIN_TOKEN_LEN <= len(token) <= MAX_TOKEN_LEN):
        raise InsightsError(f"{env}: use {MIN_TOKEN_LEN} to {MAX_TOKEN_LEN} characters")
    if not all(0x21 <= ord(c) <= 0x7E for c in token):
        raise InsightsError(
            f"{env}: use visible ASCII characters only (letters, digits, - . _ ~ + /); a space, "
            "an accent or a control character cannot be sent in an Authorization header as is"
        )
    return token


def bearer_matches(header: str | None, token: str) -> bool:
    """Whether an ``Authorization`` value carries ``token`` under the Bearer scheme (any case)."""
    scheme, _, cred = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(cred.strip().encode("utf-8", "replace"), token.encode())


class HostGuard:
    """ASGI middleware: answer 421 (a problem document) when ``Host`` is not an allowed name."""

    def __init__(self, app, hosts: frozenset[str]) -> None:
        self.app, self.hosts = app, hosts

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        raw = dict(scope.get("headers") or []).get(b"host", b"")
        host = host_of(raw.decode("latin-1"))
        if host in self.hosts:
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            return await send({"type": "websocket.close", "code": 1008})
        body = json.dumps(
            {
                "type": "urn:insights:problem:host-not-allowed",
                "title": "Misdirected Request",
                "status": 421,
                "detail": "this server answers only the host names it is bound to; "
                "add one with --allow-host (see docs/security.md)",
                "instance": scope.get("path", ""),
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 421,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
