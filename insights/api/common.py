"""What every route module of :mod:`insights.api.routes` shares: the base models of query
parameters and answers, the ``client`` parameter's documentation, the answer cache, and
:class:`ApiContext` (the snapshot store, the clock and the cache that
:func:`insights.api.app.create_app` hands each route through ``app.state``).

Answers are pydantic models, returned by the routes as such, so FastAPI checks each against
the operation's declared ``response_model`` (a field of the wrong type is a 500 "bug"
problem, never a silently wrong document). Answers are cached per brand, snapshot,
parameters and UTC minute ("now" is taken to the minute), so a scheduler polling every few
seconds costs one computation a minute.
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from fastapi import Request
from fastapi.responses import Response
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter

from insights import InsightsError
from insights.api import casing
from insights.api.problems import ApiProblem, api_name, param_problem
from insights.api.snapshot import Snapshot, SnapshotStore
from insights.recommend.errors import NotAnswerable, ParamError

CLIENT_DOC = (
    "the brand whose rows answer: 1-64 letters (accents allowed), digits, spaces, '.', '-' "
    "or '_'. Default: the server's brand (`serve --client`), "
    "else the warehouse's only brand; a warehouse of several brands needs it (400 "
    "brand-required). A brand-scoped token (INSIGHTS_API_CLIENT_TOKENS) reads its own brand "
    "only: naming another is 403; a brand the warehouse does not hold is 404. Taken off the "
    "query before the operation's own parameters are checked."
)


def client_field() -> Any:
    """The ``client`` query parameter, as documented on every ``/v1`` operation (it is
    read and removed by :class:`insights.api.brands.BrandGate` before the route runs)."""
    return Field(None, max_length=64, description=CLIENT_DOC)


def _in_range(t: datetime | None) -> datetime | None:
    """Dates from 1970 to 2199 only: anything else is a typo, and overflows date arithmetic."""
    if t is None:
        return t
    try:
        u = t.astimezone(UTC) if t.tzinfo else t
    except (OverflowError, ValueError):
        raise ValueError("date out of range 1970..2199") from None
    if not 1970 <= u.year < 2200:
        raise ValueError("date out of range 1970..2199")
    return t


Moment = Annotated[datetime, AfterValidator(_in_range)]


class QueryModel(BaseModel):
    """Query parameters: unknown names are refused (400 naming them)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Open(BaseModel):
    """An answer: the declared fields are checked; more fields may follow."""

    model_config = ConfigDict(extra="allow")


def deprecated(new: str) -> Any:
    """A field kept under its old snake_case name for one release (see :mod:`casing`)."""
    return Field(deprecated=f"renamed {new}; the old name goes in the next release")


def iso(t: datetime) -> str:
    """``2026-12-05T03:00:00Z``."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc(t: datetime) -> datetime:
    """A time without offset is UTC; with one, converted to UTC."""
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def finite(obj: Any) -> Any:
    """NaN and infinities become null (JSON has neither)."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [finite(v) for v in obj]
    return obj


def clean(v: Any) -> Any:
    """One float: NaN or infinite -> None."""
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Answer:
    """A validated answer and the size of its JSON (what the cache counts)."""

    model: BaseModel
    nbytes: int


def plain_json(obj: Any) -> str:
    """``obj`` as the API always wrote it: NaN and infinities as null, dates as ``str``
    (so each value keeps the form the CLI's JSON gives)."""
    return json.dumps(finite(obj), ensure_ascii=False, default=str, allow_nan=False)


def answer_of(model: type[M], obj: Any) -> Answer:
    """``obj`` (the library's plain dict) validated as ``model``, through
    :func:`plain_json`. :class:`pydantic.ValidationError` when a field has the wrong type:
    a bug, answered as a 500 problem document."""
    text = plain_json(obj)
    return Answer(model.model_validate_json(text), len(text.encode()))


def list_of(adapter: TypeAdapter[list[M]], items: list[Any]) -> list[M]:
    """``items`` validated as a list of models, through :func:`plain_json`."""
    return adapter.validate_json(plain_json(items))


class Cache:
    """A small LRU of answers, keyed by snapshot version + parameters + minute, bounded
    by entries and by bytes (one publish-windows answer can be 6 MB): an answer larger than
    a quarter of ``max_bytes`` is served but not kept. Holds an :class:`Answer` (counted
    by its JSON's size) or a :class:`Response`'s body (served again as JSON).
    Thread-safe (sync endpoints run in a thread pool); computing happens outside the lock."""

    def __init__(self, size: int = 512, max_bytes: int = 64 * 2**20) -> None:
        self.size, self.d, self.lock = size, OrderedDict(), threading.Lock()
        self.max_bytes, self.bytes = max_bytes, 0

    @staticmethod
    def _size(kept: Any) -> int:
        return kept.nbytes if isinstance(kept, Answer) else len(kept)

    def get_or(self, key, make: Callable[[], Any]) -> Any:
        """The cached answer of ``key``, else ``make()`` (an :class:`Answer` or a
        :class:`Response`), kept when small enough."""
        with self.lock:
            hit = self.d.get(key)
            if hit is not None:
                self.d.move_to_end(key)
        if hit is not None:
            return hit if isinstance(hit, Answer) else Response(hit, media_type="application/json")
        value = make()
        kept = value if isinstance(value, Answer) else value.body
        n = self._size(kept)
        if n > self.max_bytes // 4:
            return value
        with self.lock:
            if key in self.d:
                self.bytes -= self._size(self.d.pop(key))
            self.d[key] = kept
            self.bytes += n
            while len(self.d) > self.size or self.bytes > self.max_bytes:
                self.bytes -= self._size(self.d.popitem(last=False)[1])
        return value


@dataclass
class ApiContext:
    """What the routes read: the snapshot store, the clock and the answer cache."""

    store: SnapshotStore
    clock: Callable[[], datetime]
    cache: Cache

    def snap(self) -> Snapshot:
        """The request's brand's snapshot; 503 when it has no model run yet."""
        s = self.store.current
        if s.fc is None:
            raise ApiProblem(503, "No forecasts", s.problem or "no forecasts", "no-forecasts")
        return s

    def minute(self) -> datetime:
        """Now, to the minute (the cache's clock)."""
        return self.clock().replace(second=0, microsecond=0)


def context(request: Request) -> ApiContext:
    """The app's :class:`ApiContext` (a FastAPI dependency)."""
    return request.app.state.insights


def answer(make: Callable[[], Any]) -> Any:
    """``make()``, with the library's errors as problem documents: a bad parameter 400,
    valid parameters the forecasts cannot answer 422."""
    try:
        return make()
    except ParamError as exc:
        raise param_problem(exc) from None
    except NotAnswerable as exc:
        names = [api_name(p) for p in exc.params]
        raise ApiProblem(
            422,
            "Not answerable from the forecasts",
            str(exc),
            "not-answerable",
            [{"name": n, "reason": str(exc)} for n in names] or None,
        ) from None
    except InsightsError as exc:
        raise ApiProblem(422, "Not answerable", str(exc), "not-answerable") from None


def deprecate(response: Response) -> None:
    """Mark an answer that still carries snake_case names (RFC 9745)."""
    response.headers["Deprecation"] = casing.DEPRECATION_HEADER
