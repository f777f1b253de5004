"""Which brand a request reads, and whether its token may: brand-scoped API tokens.

``INSIGHTS_API_CLIENT_TOKENS`` maps tokens to brands, ``BRAND=TOKEN`` entries separated by
``;`` (``acme=2f9c...;Café Ñ=a71b...``). Each token is an RFC 6750 ``b64token`` (letters,
digits, ``- . _ ~ + /``, then ``=`` padding; RFC 6750 section 2.1), 16 to 512 characters,
so ``;`` can never be part of one. ``INSIGHTS_API_TOKEN`` stays the token for every brand.

Every request is answered from one brand's snapshot (:data:`REQUEST_CLIENT`):

- a brand-scoped token: its brand, always. A ``client`` query parameter naming another
  brand gets 403 (a problem document); the token never reads another brand's rows,
  whatever the other parameters say, because the snapshot it is answered from holds only
  its brand's rows.
- the all-brands token (or none, on loopback): the ``client`` query parameter, else the
  server's default brand (``serve --client``, else the warehouse's only brand); a brand the
  warehouse does not hold gets 404, a malformed one 400, none on a warehouse of several 400.

The ``client`` parameter is taken off the query string before the endpoints see it (their
parameter models refuse unknown names).
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlencode

from insights import InsightsError, brands
from insights.api.security import MAX_TOKEN_LEN, MIN_TOKEN_LEN, bearer_matches
from insights.api.snapshot import REQUEST_CLIENT, SnapshotStore

CLIENT_TOKENS_ENV = "INSIGHTS_API_CLIENT_TOKENS"
_B64TOKEN = re.compile(r"^[A-Za-z0-9\-._~+/]+=*$")  # RFC 6750 section 2.1


def parse_client_tokens(raw: str | None, all_brands: str | None = None) -> dict[str, str]:
    """``{token: brand}`` from ``INSIGHTS_API_CLIENT_TOKENS``; ``{}`` when unset.

    :raises InsightsError: (exit 2) for an entry without ``=``, a malformed brand, a token
        that is not a 16-512 character ``b64token``, a token given twice or equal to
        ``all_brands`` (the ``INSIGHTS_API_TOKEN``). The message never repeats a token.
    """
    out: dict[str, str] = {}
    for n, entry in enumerate((raw or "").split(";"), 1):
        if not entry.strip():
            continue
        name, sep, token = entry.partition("=")
        where = f"{CLIENT_TOKENS_ENV}, entry {n}"
        if not sep:
            raise InsightsError(f"{where}: write BRAND=TOKEN (entries separated by ';')")
        try:
            name = brands.check(name)
        except brands.BrandError as exc:
            raise InsightsError(f"{where}: {exc}") from None
        token = token.strip()
        if not (MIN_TOKEN_LEN <= len(token) <= MAX_TOKEN_LEN and _B64TOKEN.match(token)):
            raise InsightsError(
                f"{where} ({name}): the token must be {MIN_TOKEN_LEN} to {MAX_TOKEN_LEN} "
                "letters, digits or - . _ ~ + / (RFC 6750 b64token)"
            )
        if token in out or token == all_brands:
            raise InsightsError(f"{where} ({name}): this token is given twice; one brand each")
        out[token] = name
    return out


def _problem(status: int, title: str, detail: str, kind: str, path: str) -> tuple[int, bytes]:
    body = {
        "type": f"urn:insights:problem:{kind}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": path,
    }
    return status, json.dumps(body, ensure_ascii=False).encode()


class BrandGate:
    """ASGI middleware: authenticate (when tokens are set), decide the request's brand, set
    :data:`REQUEST_CLIENT` and strip ``client`` from the query; refusals are problem
    documents (401, 400, 403, 404)."""

    def __init__(
        self,
        app,
        store: SnapshotStore,
        token: str | None = None,
        client_tokens: dict[str, str] | None = None,
    ) -> None:
        self.app, self.store = app, store
        self.token, self.client_tokens = token, dict(client_tokens or {})

    def _token_brand(self, header: str | None) -> tuple[bool, str | None]:
        """(authenticated, the token's brand or None for every brand)."""
        if not self.token and not self.client_tokens:
            return True, None
        if self.token and bearer_matches(header, self.token):
            return True, None
        for tok, name in self.client_tokens.items():  # each compared in constant time
            if bearer_matches(header, tok):
                return True, name
        return False, None

    def decide(self, path: str, query: bytes, header: str | None) -> tuple[str, bytes] | tuple:
        """``(brand, query without client)`` or ``(status, problem body, extra headers)``."""
        ok, scoped = self._token_brand(header)
        if not ok:
            return (
                *_problem(
                    401,
                    "Unauthorized",
                    "send Authorization: Bearer <token> (the INSIGHTS_API_TOKEN the server was "
                    f"started with, or a brand's token from {CLIENT_TOKENS_ENV})",
                    "unauthorized",
                    path,
                ),
                [(b"www-authenticate", b"Bearer")],
            )
        if not path.startswith("/v1/"):  # the docs: authenticated, no brand data
            return scoped or self.store.default or brands.DEFAULT, query
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
        asked = {v for k, v in pairs if k == "client"}
        rest = (
            urlencode([(k, v) for k, v in pairs if k != "client"]).encode("latin-1")
            if asked
            else query  # untouched when there is nothing to take off
        )
        if len(asked) > 1:
            return (*_problem(400, "Invalid parameters", "client: give one brand", "invalid-parameter", path), [])  # fmt: skip
        wanted = next(iter(asked)) if asked else None
        if scoped is not None:
            if wanted is not None and wanted.strip() != scoped:
                return (
                    *_problem(
                        403,
                        "Forbidden",
                        "this token reads one brand only; leave out client or name its own",
                        "brand-forbidden",
                        path,
                    ),
                    [],
                )
            return scoped, rest
        if wanted is None:
            if self.store.default is None:
                names = ", ".join(self.store.brands[:20])
                detail = f"this warehouse {brands.GUARD_TEXT} ({names}): add client=NAME"
                return (*_problem(400, "Invalid parameters", detail, "brand-required", path), [])
            return self.store.default, rest
        try:
            name = brands.check(wanted)
        except brands.BrandError as exc:
            return (*_problem(400, "Invalid parameters", str(exc), "invalid-parameter", path), [])
        if not self.store.knows(name):
            return (*_problem(404, "Not Found", f"no brand {name!r} in this warehouse", "unknown-brand", path), [])  # fmt: skip
        return name, rest

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("path", "").startswith("/docs-static/"):
            return await self.app(scope, receive, send)
        raw = dict(scope.get("headers") or []).get(b"authorization")
        header = raw.decode("latin-1") if raw is not None else None
        out = self.decide(scope.get("path", ""), scope.get("query_string", b""), header)
        if len(out) == 3:
            status, body, extra = out
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [
                        (b"content-type", b"application/problem+json"),
                        (b"content-length", str(len(body)).encode()),
                        *extra,
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return None
        name, rest = out
        mark = REQUEST_CLIENT.set(name)
        try:
            return await self.app({**scope, "query_string": rest}, receive, send)
        finally:
            REQUEST_CLIENT.reset(mark)
