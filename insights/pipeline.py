"""One front door per stage: ingest, train, recommend, render window, studio energy, solar
size, report.

The CLI's command modules parse their options into the request objects below, call one
function here and print what it returns; notebooks, widgets and scripts call the same
functions. Each request validates itself once, when it is built, and raises the same
one-line :class:`insights.errors.InsightsError` (exit code 2) on every surface::

    from insights import pipeline

    results = pipeline.ingest(pipeline.IngestRequest(paths=("exports/",), tz="America/Mexico_City"))
    summary = pipeline.train(pipeline.TrainRequest(horizon_hours=168))
    outcome = pipeline.recommend(pipeline.RecommendRequest(regions=("CDMX",), energy_weight=0.4))

``db`` is the warehouse file everywhere (``None``: ``$INSIGHTS_DB`` or
``data/warehouse.duckdb``, see :mod:`insights.settings`). ``client`` is the brand
(``None``: ``$INSIGHTS_CLIENT``, else the warehouse's only brand; see :func:`brand` and
:mod:`insights.brands`). Heavy modules are imported inside the functions, so that
``import insights.pipeline`` stays cheap for the CLI.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from insights import bounds
from insights.errors import InsightsError, ParamError, WarehouseBusy
from insights.recommend.plan import RecommendParams
from insights.studio import MEXICO_CITY

if TYPE_CHECKING:
    import polars as pl

    from insights.ingest.load import FileResult
    from insights.ingest.staged import IngestOptions
    from insights.recommend.plan import RecommendResult
    from insights.studio.solar import PVSettings

#: The recommend request is the plan's own parameter object: same names and defaults as
#: ``insights recommend`` and the HTTP API's ``/v1/publish-windows``.
RecommendRequest = RecommendParams

# A folder of many files is loaded in batches of about this many seconds; between
# batches the warehouse lock is released so that readers (status, recommend, a
# report) waiting for it get in, instead of waiting for the whole folder.
BATCH_SECONDS = 1.0
# Readers poll the lock every 50 ms (insights.locking): a pause a little longer
# than that lets a waiting one take it before the next batch.
YIELD_SECONDS = 0.06


# --- brands -------------------------------------------------------------------------------


def brand(db: str | None = None, client: str | None = None) -> str:
    """The brand a reading stage works on: ``client`` (or ``INSIGHTS_CLIENT``), which must
    have data, else the warehouse's only brand.

    :raises insights.brands.BrandError: (exit 2) a malformed or unknown brand, or none given
        on a warehouse of several (the message names them).
    """
    from insights import brands, settings, warehouse

    with warehouse.read(db, client=brands.ALL) as con:
        return brands.resolve(con, client or settings.current().client)


@contextlib.contextmanager
def as_brand(db: str | None = None, client: str | None = None) -> Iterator[str]:
    """Run the block as brand :func:`brand` (``client``, else ``INSIGHTS_CLIENT``, else the
    only brand): its name is ``INSIGHTS_CLIENT`` inside, so that every warehouse read in the
    block (and in the processes it starts: notebook kernels) sees that brand's rows only.
    The variable is restored on exit. Yields the brand's name.

    :raises insights.brands.BrandError: (exit 2) as :func:`brand`, before the block runs.
    """
    import os

    from insights import brands, settings, warehouse
    from insights.settings import CLIENT_ENV

    with warehouse.read(db, client=brands.ALL) as con:  # closed before the block runs
        name = brands.resolve(con, client or settings.current().client)
        known = name in brands.present(con)
    if not known:  # no brand rows yet: nothing to keep apart, reads see the whole file
        yield name
        return
    before = os.environ.get(CLIENT_ENV)
    os.environ[CLIENT_ENV] = name
    try:
        yield name
    finally:
        if before is None:
            os.environ.pop(CLIENT_ENV, None)
        else:
            os.environ[CLIENT_ENV] = before


def brands_to_train(db: str | None = None, client: str | None = None) -> list[str]:
    """``[client]`` when one is given (or ``INSIGHTS_CLIENT``), else every brand of the
    warehouse (one per brand: each is fitted on its own rows only)."""
    from insights import brands, settings, warehouse

    client = client or settings.current().client
    if client:
        return [brand(db, client)]
    if not warehouse.db_path(db).exists():
        return [brands.DEFAULT]  # training itself says there is no warehouse yet
    with warehouse.read(db, client=brands.ALL) as con:
        return brands.present(con) or [brands.DEFAULT]


def ingest_brand(db: str | None = None, client: str | None = None) -> str:
    """The brand ingested rows are stamped with: ``client`` (or ``INSIGHTS_CLIENT``), else
    ``'default'`` unless the warehouse holds other brands (then one must be named: rows are
    never filed under a brand by guess).

    :raises insights.brands.BrandError: (exit 2).
    """
    from insights import brands, settings, warehouse

    client = client or settings.current().client
    if client:
        return brands.check(client)
    p = warehouse.db_path(db)
    if not p.exists() or p.stat().st_size == 0:
        return brands.DEFAULT
    try:
        with warehouse.read(db, client=brands.ALL) as con:
            names = brands.present(con)
    except WarehouseBusy:
        raise
    except InsightsError:
        # not a warehouse yet (an empty DuckDB file ingest may start one) or not ours:
        # the write that follows starts it or refuses it with its own message
        return brands.DEFAULT
    if set(names) - {brands.DEFAULT}:
        raise brands.BrandError(brands.several(names))
    return brands.DEFAULT


# --- ingest -------------------------------------------------------------------------------

# the choices of `insights ingest --decimal`, `--date-order` and the range of `--year`
DECIMALS = (".", ",")
DATE_ORDERS = ("dmy", "mdy", "ymd")
YEARS = (2000, 2100)


@dataclass(frozen=True)
class IngestRequest:
    """What to load and how to read it (the options of ``insights ingest``).

    ``tz`` must be an IANA zone and ``country`` an ISO 3166-1 alpha-2 code (stored upper
    case); both are checked here, before any file is opened.

    :raises InsightsError: (exit 2) naming the option and the problem.
    """

    paths: tuple[str, ...]
    kind: str | None = None
    term: str | None = None
    decimal: str | None = None
    date_order: str | None = None
    tz: str | None = None
    country: str | None = None
    sheet: str | None = None
    year: int | None = None  # of dates exported without one (TikTok Studio: "March 1")

    def __post_init__(self) -> None:
        object.__setattr__(self, "paths", tuple(str(p) for p in self.paths))
        # the CLI's argparse choices, checked here too for callers without argparse
        # (notebook 01, scripts): the same option, the same one-line refusal
        from insights.ingest.detect import KINDS

        for option, value, choices in (
            ("--kind", self.kind, KINDS),
            ("--decimal", self.decimal, DECIMALS),
            ("--date-order", self.date_order, DATE_ORDERS),
        ):
            if value is not None and value not in choices:
                raise InsightsError(f"{option} {value!r}: use one of {', '.join(choices)}")
        if self.year is not None and not (
            isinstance(self.year, int) and YEARS[0] <= self.year <= YEARS[1]
        ):
            raise InsightsError(f"--year {self.year!r}: a four-digit year such as 2024")
        if self.tz:
            import zoneinfo

            try:
                zoneinfo.ZoneInfo(self.tz)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise InsightsError(f"--tz {self.tz!r}: not an IANA time zone") from None
        if self.country:
            import pycountry

            if pycountry.countries.get(alpha_2=self.country.strip().upper()) is None:
                raise InsightsError(
                    f"--country {self.country!r}: not an ISO 3166-1 alpha-2 country code "
                    "(MX, BR, CL)"
                )
            object.__setattr__(self, "country", self.country.upper())

    @classmethod
    def from_parameters(cls, paths: Sequence[str], **given: Any) -> IngestRequest:
        """A request from notebook parameters, where an option not given is ``""`` (text)
        or ``0`` (the year): those mean the CLI's default, as an option left out does.

        :raises InsightsError: as the constructor.
        """
        return cls(
            paths=tuple(paths), **{k: (v if v not in ("", 0) else None) for k, v in given.items()}
        )

    def options(self) -> IngestOptions:
        """The readers' options."""
        from insights.ingest.staged import IngestOptions

        return IngestOptions(
            decimal=self.decimal,
            date_order=self.date_order,
            tz=self.tz,
            country=self.country,
            sheet=self.sheet,
            year=self.year,
        )

    def files(self) -> list[Path]:
        """The files under ``paths`` (folders recursively), in load order.

        :raises InsightsError: when there are none.
        """
        from insights.ingest.load import expand_paths

        files = expand_paths(list(self.paths))
        if not files:
            raise InsightsError("no files to ingest under " + ", ".join(self.paths))
        return files


def ingest(
    request: IngestRequest,
    db: str | None = None,
    *,
    files: Sequence[Path] | None = None,
    on_result: Callable[[FileResult], None] | None = None,
    on_next: Callable[[Path], None] | None = None,
    progress_bar: bool = False,
    client: str | None = None,
) -> list[FileResult]:
    """Load ``request``'s files, each (or each run of small files of one layout) in its
    own transaction, the warehouse lock held for about :data:`BATCH_SECONDS` at a time.

    ``on_result`` sees each file's result as it is loaded (in order), ``on_next`` the file
    about to be read; ``progress_bar`` turns on DuckDB's own progress bar. A rejected file
    is a result with ``status == "rejected"``, not an exception: the others still load.
    Rows are brand :func:`ingest_brand`'s (a file loaded for one brand loads again for
    another).
    """
    from insights import warehouse
    from insights.ingest.load import Batching, ingest_next

    files = list(files) if files is not None else request.files()
    options = request.options()
    client = ingest_brand(db, client)
    results: list[FileResult] = []
    batching = Batching()
    while len(results) < len(files):
        with warehouse.write(db, client=client) as con:
            if progress_bar:
                con.execute("SET enable_progress_bar = true")
            batch_start = time.monotonic()
            while len(results) < len(files):
                if on_next is not None:
                    on_next(files[len(results)])
                done = ingest_next(
                    con,
                    files,
                    len(results),
                    request.kind,
                    request.term,
                    options=options,
                    batching=batching,
                )
                for r in done:
                    results.append(r)
                    if on_result is not None:
                        on_result(r)
                if time.monotonic() - batch_start > BATCH_SECONDS:
                    break
        if len(results) < len(files):
            time.sleep(YIELD_SECONDS)
    return results


# --- train --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainRequest:
    """The options of ``insights train``: horizon in hours, backtest cut-offs, one series
    per topic too."""

    horizon_hours: int = 168
    cutoffs: int = 3
    by_topic: bool = False
    #: where the brands are fitted: ``local`` (this process, one brand after another) or
    #: ``spark`` (one Spark task per brand, :mod:`insights.engines.train`); ``None``:
    #: ``INSIGHTS_ENGINE``, else ``local``
    engine: str | None = None

    def __post_init__(self) -> None:
        if self.engine not in (None, *ENGINES):
            raise ParamError("engine", self.engine, "use local or spark")


ENGINES = ("local", "spark")


def train(
    request: TrainRequest,
    db: str | None = None,
    progress: Callable[[str], None] | None = None,
    *,
    client: str | None = None,
) -> Mapping[str, Any]:
    """Backtest and fit the engagement and energy models, store the run and its forecasts;
    the run's summary (:class:`insights.training.TrainResult`, a mapping; its ``client``
    says the brand).

    Each brand is fitted on its own rows only: with ``client`` (or ``INSIGHTS_CLIENT``) that
    brand, else every brand in turn. With several brands the summary is
    ``{"brands": {name: summary}}``. ``request.engine`` ``spark``: every brand as one Spark
    task (:mod:`insights.engines.train`), the stored forecasts equal to the local loop's.

    :raises InsightsError: (exit 2) an ``INSIGHTS_ENGINE`` other than local or spark.
    """
    from insights import settings
    from insights.training import train as _train

    engine = request.engine or settings.current().engine or "local"
    if engine not in ENGINES:
        raise InsightsError(f"{settings.ENGINE_ENV}={engine!r}: use local or spark")
    names = brands_to_train(db, client)
    if engine == "spark":
        from insights.engines.spark import session
        from insights.engines.train import train_on_spark

        options = {
            "horizon": request.horizon_hours,
            "n_cutoffs": request.cutoffs,
            "by_topic": request.by_topic,
        }
        runs = train_on_spark(db, names, options, session(), progress)
        return next(iter(runs.values())) if len(runs) == 1 else {"brands": runs}
    runs = {}
    for name in names:
        runs[name] = _train(
            db,
            horizon=request.horizon_hours,
            n_cutoffs=request.cutoffs,
            by_topic=request.by_topic,
            progress=progress,
            client=name,
        )
    if len(runs) == 1:
        return next(iter(runs.values()))
    return {"brands": runs}


# --- recommend ----------------------------------------------------------------------------


def check_recommend(params: RecommendParams) -> None:
    """What can be checked before the warehouse is read (the rest needs its forecasts:
    known regions and channels, the horizon they reach).

    :raises ParamError: naming the parameter.
    """
    w = params.energy_weight
    if not (isinstance(w, int | float) and 0.0 <= w <= 1.0):
        raise ParamError("energy_weight", w, "must be between 0 and 1")


@dataclass
class RecommendOutcome:
    """A recommendation run: the plan, the forecasts it came from and its stored id
    (``None`` when not stored: read-only storage, or ``store=False``)."""

    result: RecommendResult
    forecasts: dict[str, Any]
    run_id: str | None

    def payload(self) -> dict[str, Any]:
        """The JSON document of ``insights recommend --format json``."""
        return self.result.payload(self.forecasts, self.run_id)


def recommend(
    params: RecommendParams,
    db: str | None = None,
    *,
    store: bool = True,
    client: str | None = None,
) -> RecommendOutcome:
    """When, where and on which channel to publish, from brand :func:`brand`'s latest
    forecasts; stored as that brand's recommendation run when ``store`` and the warehouse is
    writable."""
    from insights.recommend.io import latest_forecasts, store_recommendations
    from insights.recommend.plan import plan_recommendations

    check_recommend(params)  # before reading the warehouse
    name = brand(db, client)
    fc = latest_forecasts(db, client=name)
    fc["client"] = name
    res = plan_recommendations(fc, params)
    run_id = store_recommendations(db, res.recs, res.params, client=name) if store else None
    return RecommendOutcome(res, fc, run_id)


# --- render window ------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderWindowRequest:
    """A render or training job: ``hours`` long, drawing ``kw``, finished by ``deadline``
    (ISO 8601; see :func:`insights.recommend.plan.plan_render_window`), in a ``zone`` or
    the grid zone of a ``region``; ``now`` fixes the clock (tests)."""

    hours: int
    kw: float
    deadline: str
    region: str | None = None
    zone: str | None = None
    now: datetime | None = None


def render_window(
    request: RenderWindowRequest, db: str | None = None, *, client: str | None = None
) -> dict[str, Any]:
    """The lowest-carbon start and its saving against starting now (the grid forecasts of
    brand :func:`brand`'s latest run)."""
    from insights.recommend.io import latest_forecasts
    from insights.recommend.plan import plan_render_window

    fc = latest_forecasts(db, client=brand(db, client))
    return plan_render_window(
        fc,
        hours=request.hours,
        kw=request.kw,
        deadline=request.deadline,
        region=request.region,
        zone=request.zone,
        now=request.now,
    )


# --- studio energy ------------------------------------------------------------------------


@dataclass(frozen=True)
class StudioEnergyRequest:
    """The options of ``insights studio-energy``: grid ``zone`` or ``region`` (default
    Mexico City's zone), ``flexible`` job patterns and how many hours they may move,
    a given yearly factor (gCO2e/kWh) instead of the zone's mean.

    :raises InsightsError: for a negative ``slack_hours``.
    """

    zone: str | None = None
    region: str | None = None
    flexible: tuple[str, ...] = ()
    slack_hours: int = 12
    annual_factor: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "flexible", tuple(self.flexible or ()))
        bounds.check("--slack-hours", self.slack_hours, bounds.SLACK_HOURS)
        bounds.check("--annual-factor", self.annual_factor, bounds.ANNUAL_FACTOR_G)


def _studio_hourly(con: Any) -> pl.DataFrame:
    from insights.studio import emissions

    hourly = emissions.load_hourly(con)
    if hourly.height == 0:
        raise InsightsError(
            "no studio logs in the warehouse; `insights ingest` nvidia-smi or CodeCarbon logs"
        )
    return hourly


def studio_energy(request: StudioEnergyRequest, db: str | None = None) -> dict[str, Any]:
    """kWh and kgCO2e per local day, ISO week and job, time-matched, and what shifting
    jobs would have saved (see :func:`insights.studio.emissions.summarize`)."""
    from datetime import timedelta

    from insights import warehouse
    from insights.studio import emissions

    zone, tz = emissions.resolve_zone(request.zone, request.region)
    own_zone = zone
    with warehouse.read(db) as con:
        hourly = emissions.load_hourly(con)
        zone = emissions.signal_zone(con, zone)
        ci = emissions.zone_intensity(con, zone)
    if hourly.height == 0:
        raise InsightsError(
            "no studio logs in the warehouse; `insights ingest` nvidia-smi or CodeCarbon logs"
        )
    check_flexible(request.flexible, hourly["job"].to_list())
    # as `recommend` says it: the zone's own grid has no data, the country's signal stands in
    national_note = (
        f"national grid signal {zone} used: no carbon data for {own_zone}"
        + (f" ({request.region})" if request.region else "")
        if zone != own_zone
        else None
    )
    if ci.height == 0:
        raise InsightsError(f"no carbon intensity for zone {zone} in the warehouse")
    year_n = None  # hourly values behind the yearly factor (None: given)
    if request.annual_factor is not None:
        annual, basis = request.annual_factor, "given with --annual-factor"
    else:
        until = hourly["ts_utc"].max() + timedelta(hours=1)  # type: ignore[operator]
        annual, basis = emissions.annual_factor(ci, until)  # type: ignore[arg-type]
        year_n = emissions.year_hours(ci, until).height  # type: ignore[arg-type]
    out = emissions.summarize(hourly, ci, tz, annual, list(request.flexible), request.slack_hours)
    return {
        "zone": zone,
        "own_zone": own_zone,
        "national_signal": zone != own_zone,
        **({"note": national_note} if national_note else {}),
        "annual_factor_basis": basis,
        "annual_factor_hours": year_n,
        **out,
    }


def check_flexible(patterns: Sequence[str], jobs: Sequence[str]) -> None:
    """Raise :class:`InsightsError` (exit 2) naming each ``--flexible`` glob that matches
    none of ``jobs`` (the logged job labels), with the labels there are: a misspelled label
    would otherwise move nothing without a word."""
    import fnmatch

    labels = sorted(set(jobs))
    missing = [p for p in patterns if not any(fnmatch.fnmatch(j, p) for j in labels)]
    if missing:
        shown = ", ".join(labels[:20]) + (" ..." if len(labels) > 20 else "")
        raise InsightsError(
            f"--flexible {', '.join(missing)}: matches no logged job; jobs: {shown} "
            "(globs such as 'render*' match several)"
        )


# --- solar size ---------------------------------------------------------------------------


def monthly_values(text: str | Sequence[float] | None, name: str) -> tuple[float, ...] | None:
    """One value or twelve (January..December), all positive, from ``"0.8,0.7,..."`` or a
    sequence; one value is repeated for every month.

    :raises InsightsError: naming ``name`` when the values are not that.
    """
    if text is None:
        return None
    if isinstance(text, str):
        try:
            vals = tuple(float(x) for x in text.split(","))
        except ValueError:
            raise InsightsError(f"{name} {text!r}: numbers separated by commas") from None
    else:
        vals = tuple(float(x) for x in text)
    if len(vals) == 1:
        vals = vals * 12
    if len(vals) != 12 or not all(math.isfinite(v) and v > 0 for v in vals):
        raise InsightsError(f"{name}: one value or 12 (January..December), all positive")
    return vals


@dataclass(frozen=True)
class SolarRequest:
    """The PV site and the sizing question of ``insights solar-size``.

    ``losses`` in percent (0..100), ``target_match`` a share 0..1 (0.8 = 80 %),
    ``clear_sky_index`` and ``monthly_ghi`` one value or twelve (``"0.8,0.7,..."``).
    Defaults: Mexico City, tilt 20°, south, PVWatts' 14 % losses.

    :raises InsightsError: naming the option, when a value is out of range.
    """

    lat: float = MEXICO_CITY[0]
    lon: float = MEXICO_CITY[1]
    alt: float | None = None  # None: Mexico City's near it, else looked up (pvlib)
    tilt: float = 20.0
    azimuth: float = 180.0
    losses: float = 14.0
    temp_air: float = 18.0
    clear_sky_index: str | Sequence[float] | None = None
    monthly_ghi: str | Sequence[float] | None = None
    flexible: tuple[str, ...] = ()
    slack_hours: int = 12
    target_match: float | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.losses < 100:
            raise InsightsError("--losses is a percentage between 0 and 100")
        if self.target_match is not None and not 0 < self.target_match <= 1:
            raise InsightsError("--target-match is a share between 0 and 1 (0.8 = 80 %)")
        if not -90 <= self.lat <= 90 or not -180 <= self.lon <= 180:
            raise InsightsError("--lat/--lon out of range")
        bounds.check("--alt", self.alt, bounds.ALTITUDE_M)
        bounds.check("--tilt", self.tilt, bounds.TILT_DEG)
        bounds.check("--azimuth", self.azimuth, bounds.AZIMUTH_DEG)
        bounds.check("--temp-air", self.temp_air, bounds.TEMP_AIR_C)
        bounds.check("--slack-hours", self.slack_hours, bounds.SLACK_HOURS)
        idx = monthly_values(self.clear_sky_index, "--clear-sky-index")
        if idx is not None and max(idx) > 1:
            raise InsightsError("--clear-sky-index values are at most 1 (clear sky)")
        object.__setattr__(self, "clear_sky_index", idx)
        object.__setattr__(self, "monthly_ghi", monthly_values(self.monthly_ghi, "--monthly-ghi"))
        object.__setattr__(self, "flexible", tuple(self.flexible or ()))

    def pv_settings(self) -> PVSettings:
        from insights.studio import solar

        s = solar.PVSettings(
            latitude=self.lat,
            longitude=self.lon,
            altitude=self.alt if self.alt is not None else MEXICO_CITY[2],
            tilt=self.tilt,
            azimuth=self.azimuth,
            losses=self.losses / 100,
            temp_air=self.temp_air,
        )
        # __post_init__ made both tuples of twelve floats (or None)
        if self.clear_sky_index is not None:
            s.clear_sky_index = tuple(self.clear_sky_index)  # type: ignore[arg-type]
        s.monthly_ghi = None if self.monthly_ghi is None else tuple(self.monthly_ghi)  # type: ignore[arg-type]
        return s


def solar_size(request: SolarRequest, db: str | None = None) -> dict[str, Any]:
    """The kWp whose yearly output equals the studio's yearly kWh, the hour-by-hour matched
    share as logged and with flexible jobs moved, and the battery for ``target_match``
    (see :func:`insights.studio.solar.size`)."""
    from insights import i18n, warehouse
    from insights.studio import solar

    settings = request.pv_settings()
    notes, notes_es = [], []  # the same notes in English (JSON, API) and Spanish (--lang es)
    near_cdmx = abs(request.lat - MEXICO_CITY[0]) < 0.5 and abs(request.lon - MEXICO_CITY[1]) < 0.5
    if request.alt is None and near_cdmx:
        settings.altitude = MEXICO_CITY[2]
    elif request.alt is None:  # never Mexico City's 2,240 m for another site without a word
        from pvlib.location import lookup_altitude  # pvlib's bundled map, no download

        settings.altitude = float(lookup_altitude(request.lat, request.lon))
        notes.append(
            f"altitude {settings.altitude:.0f} m looked up for {request.lat}, {request.lon} "
            "(pvlib's coarse elevation map); give --alt for the site's own"
        )
        notes_es.append(
            f"altitud de {i18n.number(settings.altitude, 'es')} m buscada para "
            f"{i18n.number(request.lat, 'es', 4)}, {i18n.number(request.lon, 'es', 4)} "
            "(el mapa de elevación aproximado de pvlib); da --alt con la del sitio"
        )
    if not near_cdmx and request.clear_sky_index is None and request.monthly_ghi is None:
        notes.append(
            "cloudiness: Mexico City's assumed monthly clear-sky index (no data for this "
            "site); give --monthly-ghi (kWh/m2/day, Jan..Dec) or --clear-sky-index for it"
        )
        notes_es.append(
            "nubosidad: el índice de cielo despejado mensual supuesto para la Ciudad de México "
            "(sin datos de este sitio); da --monthly-ghi (kWh/m2/día, ene..dic) o "
            "--clear-sky-index con los suyos"
        )
    with warehouse.read(db) as con:
        hourly = _studio_hourly(con)
    check_flexible(request.flexible, hourly["job"].to_list())
    out = solar.size(
        hourly,
        settings,
        list(request.flexible) or None,
        request.slack_hours,
        request.target_match,
    )
    if notes:
        out["notes"], out["notes_es"] = notes, notes_es
    return out


# --- report -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRequest:
    """The options of ``insights report``: output folder, notebook parameters (checked
    against each notebook's ``parameters`` cell when the run starts), language, which
    notebooks, and whether the warehouse may change."""

    out: str = "reports"
    params: dict[str, str] = field(default_factory=dict)
    lang: str = "es"
    notebooks: str | None = None
    only: tuple[str, ...] | None = None
    read_only: bool = False


def report(
    request: ReportRequest,
    db: str | None = None,
    progress: Callable[[str], None] | None = None,
    *,
    client: str | None = None,
) -> list[Path]:
    """Run the notebooks with papermill and export offline HTML; the pages written. The
    pages are brand :func:`brand`'s: its name reaches the notebooks' kernels as
    ``INSIGHTS_CLIENT``, so that every warehouse read in them sees that brand's rows only."""
    from insights.report import check_report, run_report

    only = list(request.only) if request.only is not None else None
    # options first: a bad one is named even before there is a warehouse
    check_report(Path(request.out), dict(request.params), request.lang, request.notebooks, only)
    with as_brand(db, client):  # kernels inherit this process's environment
        return run_report(
            Path(request.out),
            dict(request.params),
            request.lang,
            db,
            request.notebooks,
            only,
            read_only=request.read_only,
            progress=progress,
        )
