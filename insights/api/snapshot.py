"""An in-memory snapshot of what the API serves, refreshed when the warehouse file changes.

The server never keeps the DuckDB file open: DuckDB allows one writing process and a writer
shuts every reader out, so a server holding the file would make ``ingest`` and ``train`` wait.
Instead a background thread looks at the file's size and modification time every
:data:`POLL_S` seconds; when they changed it takes the shared warehouse lock for as long as
one read takes (well under a second on the demo warehouse), loads a new :class:`Snapshot`
and swaps it in whole, so every request sees one consistent model run. While a writer holds
the lock the thread does not wait (:data:`LOCK_WAIT_S`): requests keep the previous snapshot
and the thread tries again at the next poll. After a ``train`` ends the API answers from
the new run within ``POLL_S`` plus one load (about 2 s on the demo; 5 s is the documented
bound).

Brands (:mod:`insights.brands`): a snapshot holds one brand's rows. The store keeps one per
brand asked for, loaded on first use; :attr:`SnapshotStore.current` is the snapshot of the
brand of the request being answered (:data:`REQUEST_CLIENT`, set by
:class:`insights.api.brands.BrandGate` before any endpoint runs), else the store's default.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl

from insights import InsightsError, brands, sql, warehouse
from insights.api.grid import LEVEL_REFERENCE_DAYS, ZoneSeries
from insights.locking import WarehouseBusy
from insights.recommend.io import latest_forecasts_from
from insights.recommend.slots import national_fallback
from insights.regions import bad_time_zones
from insights.warehouse import runs

POLL_S = 1.0
LOCK_WAIT_S = 0.25
REFRESH_BOUND_S = 5  # documented: answers from a new run at most this long after it is stored

log = logging.getLogger("insights.api")

#: The brand of the request being answered (None: the store's default brand).
REQUEST_CLIENT: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "insights_request_client", default=None
)


@dataclass
class Snapshot:
    """Everything the endpoints read. ``fc`` is ``None`` (and ``problem`` says why) when the
    warehouse has no model run yet."""

    version: int
    loaded_at: datetime
    db: str
    fc: dict | None
    problem: str | None
    model_run: dict | None
    observed: dict[str, dict]  # zone -> latest measured hour and its reference means
    series: dict[str, ZoneSeries]  # zone -> forecast
    regions: list[dict]
    data_end: str | None
    energy_end: str | None
    signature: tuple = field(default=())
    unanswerable: list[dict] = field(default_factory=list)
    # the brand whose rows these are: part of every answer cache key (versions are per brand)
    client: str = brands.DEFAULT


def file_signature(db: Path) -> tuple:
    """Size and modification time of the warehouse and its write-ahead log."""
    out = []
    for p in (db, db.with_name(db.name + ".wal")):
        try:
            st = p.stat()
            out.append((st.st_size, st.st_mtime_ns))
        except FileNotFoundError:
            out.append(None)
    return tuple(out)


OBSERVED_SQL = f"""
WITH e AS (
    SELECT zone, ts_utc, avg(renewable_pct) AS r, avg(carbon_intensity_direct) AS ci
    FROM energy GROUP BY ALL HAVING r IS NOT NULL OR ci IS NOT NULL),
l AS (SELECT zone, max(ts_utc) AS ts FROM e GROUP BY zone),
ref AS (
    SELECT e.zone, avg(e.ci) AS ci_ref, avg(e.r) AS r_ref FROM e JOIN l USING (zone)
    WHERE e.ts_utc > l.ts - INTERVAL {LEVEL_REFERENCE_DAYS} DAY GROUP BY e.zone)
SELECT e.zone, e.ts_utc AS ts, e.r AS renewable_pct, e.ci AS carbon_intensity,
    ref.ci_ref, ref.r_ref
FROM e JOIN l ON e.zone = l.zone AND e.ts_utc = l.ts JOIN ref ON ref.zone = e.zone
"""


def load_snapshot(
    db: str, version: int, lock_wait_s: float | None = None, client: str = brands.DEFAULT
) -> Snapshot:
    """Read one consistent snapshot of brand ``client`` under the shared lock (see the
    module docstring)."""
    path = warehouse.db_path(db)
    with warehouse.read(db, timeout_s=lock_wait_s, client=client) as con:
        sig = file_signature(path)
        try:
            fc, problem = latest_forecasts_from(con), None
            fc["client"] = client
        except InsightsError as exc:
            fc, problem = None, str(exc)
        run = runs.latest_run(
            con, "run_id", "created_at::VARCHAR", "package_version", "data_end::VARCHAR"
        )
        observed = sql.frame(con, OBSERVED_SQL)
        regions = sql.frame(con, "SELECT region, country, grid_zone, tz FROM regions ORDER BY 1")
        data_end = sql.one(con, "SELECT max(ts_utc)::VARCHAR FROM consumption")[0]
        energy_end = sql.one(con, "SELECT max(ts_utc)::VARCHAR FROM energy")[0]
    series: dict[str, ZoneSeries] = {}
    if fc is not None and fc["energy"].height:
        for (zone,), g in fc["energy"].sort("ts").partition_by("zone", as_dict=True).items():
            series[zone] = ZoneSeries(
                ts=g["ts"].to_list(),
                carbon_intensity=g["carbon_intensity"]
                .cast(pl.Float64)
                .fill_null(np.nan)
                .to_numpy(),
                renewable_pct=g["renewable_pct"].cast(pl.Float64).fill_null(np.nan).to_numpy(),
            )
    with_fc = set(fc["engagement"]["region"].unique()) if fc is not None else set()
    # the zone whose signal each region is scored on: its own, or its country's national
    # zone when only that one has data (CENACE's national mix; recommend.slots)
    zones_with_data = pl.DataFrame({"zone": sorted(set(series) | set(observed["zone"].to_list()))})
    regions = national_fallback(regions, zones_with_data)
    # regions stored with a zone this machine cannot use (a bad table saved by an older
    # insights): answers for them fail, and /v1/health says so
    unanswerable = [
        {"region": r, "reason": f"tz {tz!r} is not an IANA time zone"}
        for _, r, tz in bad_time_zones(regions)
    ]
    return Snapshot(
        version=version,
        loaded_at=datetime.now(UTC),
        db=str(path),
        fc=fc,
        problem=problem,
        unanswerable=unanswerable,
        model_run=(
            {
                "id": run[0],
                "createdAt": run[1],
                "packageVersion": run[2],
                "dataEnd": run[3],
            }
            if run
            else None
        ),
        observed={
            r["zone"]: r
            for r in observed.with_columns(pl.col("ts").dt.convert_time_zone("UTC")).to_dicts()
        },
        series=series,
        regions=[
            {**r, "has_forecasts": r["region"] in with_fc, "signal_zone": r["grid_zone"]}
            | {"grid_zone": r["own_zone"]}
            for r in regions.to_dicts()
        ],
        data_end=data_end,
        energy_end=energy_end,
        signature=sig,
        client=client,
    )


class SnapshotStore:
    """Holds a :class:`Snapshot` per brand; a daemon thread reloads them when the file changes.

    ``client``: the brand answered when a request names none (``None``: the warehouse's only
    brand; with several, each request must name one). :raises insights.brands.BrandError:
    for a malformed or unknown ``client``.
    """

    def __init__(self, db: str | None, poll_s: float = POLL_S, client: str | None = None) -> None:
        self.db = str(warehouse.db_path(db))
        self.poll_s = poll_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.brands: list[str] = self._present()
        if client is not None:
            client = brands.check(client)
            if client not in self.brands:
                raise brands.unknown(client, self.brands)
            self.default: str | None = client
        else:
            self.default = self.brands[0] if len(self.brands) == 1 else None
            if not self.brands:
                self.default = brands.DEFAULT
        self._snaps: dict[str, Snapshot] = {}
        if self.default is not None:
            self._snaps[self.default] = load_snapshot(self.db, 1, client=self.default)
        self.last_error: str | None = None

    def _present(self, lock_wait_s: float | None = None) -> list[str]:
        with warehouse.read(self.db, timeout_s=lock_wait_s, client=brands.ALL) as con:
            return brands.present(con)

    @property
    def current(self) -> Snapshot:
        """The snapshot of the request's brand (loaded on first use), else the default's."""
        client = REQUEST_CLIENT.get() or self.default
        if client is None:  # BrandGate resolves a brand before any endpoint runs
            raise brands.BrandError(brands.several(self.brands))
        snap = self._snaps.get(client)
        if snap is None:
            with self._lock:
                snap = self._snaps.get(client)
                if snap is None:
                    snap = load_snapshot(self.db, 1, client=client)
                    self._snaps[client] = snap
        return snap

    def refresh(self) -> bool:
        """Reload if the file changed and no writer holds it; True when new snapshots are in."""
        sig = file_signature(Path(self.db))
        stale = [c for c, s in self._snaps.items() if s.signature != sig]
        if not stale:
            return False
        try:
            names = self._present(lock_wait_s=LOCK_WAIT_S)
            new = {
                c: load_snapshot(
                    self.db, self._snaps[c].version + 1, lock_wait_s=LOCK_WAIT_S, client=c
                )
                for c in stale
                if c in names or c == self.default
            }
        except WarehouseBusy:
            return False  # a writer is at work: keep serving the previous snapshot
        except InsightsError as exc:
            self.last_error = str(exc)
            return False
        with self._lock:
            self.brands = names
            merged = {**self._snaps, **new}  # a brand gone from the warehouse is dropped
            self._snaps = {c: s for c, s in merged.items() if c in names or c == self.default}
        self.last_error = None
        for snap in new.values():
            log.info(
                "snapshot %s of %s loaded (model run %s)",
                snap.version,
                snap.client,
                (snap.model_run or {}).get("id"),
            )
        return True

    def _loop(self) -> None:
        while not self._stop.wait(self.poll_s):
            try:
                self.refresh()
            except Exception as exc:  # keep serving; say why in /v1/health
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("snapshot refresh failed")

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="snapshot", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            with contextlib.suppress(RuntimeError):
                self._thread.join(timeout=5)
            self._thread = None

    def age_s(self) -> float:
        return time.time() - self.current.loaded_at.timestamp()

    def knows(self, client: str) -> bool:
        """Whether the warehouse holds brand ``client`` (as of the last load)."""
        return client in self.brands or (client == self.default)
