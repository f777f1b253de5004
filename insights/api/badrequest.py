"""A request the HTTP parser cannot read answers with a problem document, like every error.

A query value typed as people write it (``region=Ciudad de México``: a space, an accent)
is not a valid HTTP request line (RFC 9112 section 3.2: the request target is ASCII without
spaces), so the server's parser (h11, under uvicorn) refuses it before the app sees it and
uvicorn answers ``400`` in plain text. :class:`ProblemH11Protocol` keeps uvicorn's h11
protocol and only replaces that answer with an RFC 7807 ``application/problem+json``
document that says how to encode the value.
"""

from __future__ import annotations

import json

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

DETAIL = (
    "the request line is not valid HTTP: a query value with spaces or accents must be "
    "URL-encoded (region=Ciudad%20de%20M%C3%A9xico); with curl: curl -G "
    "--data-urlencode 'region=Ciudad de México' http://HOST:PORT/v1/publish-windows"
)


def problem_body() -> bytes:
    return json.dumps(
        {
            "type": "urn:insights:problem:bad-request-line",
            "title": "Bad Request",
            "status": 400,
            "detail": DETAIL,
        },
        ensure_ascii=False,
    ).encode()


class ProblemH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, answering an unreadable request with a problem document."""

    def send_400_response(self, msg: str) -> None:  # noqa: ARG002 (uvicorn's own text)
        body = problem_body()
        headers = [
            (b"content-type", b"application/problem+json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        for event in (
            h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
            h11.Data(data=body),
            h11.EndOfMessage(),
        ):
            self.transport.write(self.conn.send(event))
        self.transport.close()
