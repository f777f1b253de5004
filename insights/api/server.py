"""Serve the API with bounds a client cannot exhaust: a deadline to send each request, and a
cap on open connections (Uvicorn's own HTTP protocol, with two additions).

Uvicorn arms its keep-alive timer only after a response; a connection that never finishes
its request (a slow or idle client) holds its socket forever, and a few hundred of them
exhaust the process's file descriptors ("Too many open files") for everyone. So:

- each request must arrive whole within :data:`REQUEST_TIMEOUT_S` of its first byte (or of
  the connection opening); otherwise the connection is closed;
- past :data:`MAX_CONNECTIONS` open connections, a new one first closes the oldest idle
  one (no request in progress), and is itself closed when all are busy;
- Uvicorn's ``limit_concurrency`` answers 503 past the same number of requests in flight,
  and its keep-alive timeout closes idle connections between requests.

The socket is bound before the ready line is printed, so a port in use is one line and
exit code 2 (set-up), never a ready line followed by a failure.
"""

from __future__ import annotations

import asyncio
import errno
import socket

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from insights import InsightsError
from insights.api.badrequest import ProblemH11Protocol
from insights.api.security import bare_host

REQUEST_TIMEOUT_S = 10.0
MAX_CONNECTIONS = 200
KEEP_ALIVE_S = 5


def bounded_protocol(request_timeout_s: float, max_connections: int) -> type[H11Protocol]:
    """Uvicorn's h11 protocol class with a per-request deadline and a connection cap."""

    class Bounded(ProblemH11Protocol):  # an unreadable request line: a problem document
        _deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()
            open_ = sum(not c.transport.is_closing() for c in self.connections)
            if open_ > max_connections:
                idle = [
                    c
                    for c in self.connections
                    if c is not self
                    and not c.transport.is_closing()
                    and (c.cycle is None or c.cycle.response_complete)
                    and c.conn.their_state is h11.IDLE
                ]
                victim = idle[0] if idle else self
                victim.transport.close()

        def _arm(self) -> None:
            if self._deadline is None:
                self._deadline = self.loop.call_later(request_timeout_s, self._expired)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expired(self) -> None:
            self._deadline = None
            if self.conn.their_state is not h11.DONE and not self.transport.is_closing():
                self.transport.close()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.conn.their_state is h11.DONE or self.transport.is_closing():
                self._disarm()  # the request is in: answering it has no deadline here
            else:
                self._arm()  # a request has begun (perhaps after keep-alive): it has one

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

    return Bounded


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host`` (``[::1]`` and ``::1`` alike) and ``port``.

    Raises :class:`InsightsError` (exit 2) naming the address when it is in use or cannot
    be bound."""
    h = bare_host(host)
    try:
        infos = socket.getaddrinfo(h, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise InsightsError(f"--host {host}: not an address of this machine ({exc})") from None
    family, _, _, _, addr = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    try:
        sock.bind(addr)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        shown = f"[{h}]:{port}" if ":" in h else f"{h}:{port}"
        if exc.errno == errno.EADDRINUSE:
            raise InsightsError(
                f"{shown}: the port is in use by another program; pick another with --port"
            ) from None
        raise InsightsError(f"{shown}: cannot listen there ({exc.strerror})") from None
    sock.set_inheritable(True)
    return sock


def url_host(sock: socket.socket) -> str:
    """``host:port`` of a bound socket as written in a URL (IPv6 in brackets)."""
    addr = sock.getsockname()
    return f"[{addr[0]}]:{addr[1]}" if sock.family == socket.AF_INET6 else f"{addr[0]}:{addr[1]}"


def raise_fd_limit() -> None:
    """Use the hard limit of open files (the soft default, often 1024, is what ran out)."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        want = 65536 if hard == resource.RLIM_INFINITY else min(hard, 65536)
        if want > soft:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    except (ImportError, ValueError, OSError):
        pass
