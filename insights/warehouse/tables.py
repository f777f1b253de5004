"""The warehouse's table catalog: one declared spec per table.

Each :class:`Table` names its columns in their stored order with their DuckDB types, its key
(the columns whose values identify a row when a later file meets it; not a constraint
unless the type says ``PRIMARY KEY``), the modules that write it, and for each column added
after the table was first created, the migration that added it
(:data:`insights.warehouse.migrations.MIGRATIONS`). The DDL and the in-place migrations are
generated from these specs (:mod:`insights.warehouse.migrations`); a test checks that a
new warehouse and a migrated old one hold exactly these columns
(``tests/test_warehouse_catalog.py``), and the documentation's table list is generated
from them (``docs/explanation/warehouse.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

from insights import brands

#: The brand key's type: its default stamps the brand of the write connection
#: (:data:`insights.brands.CURRENT`), so an insert that does not name ``client`` belongs to the
#: brand being written, and rows stored before brands existed become ``'default'``.
BRAND_TYPE = f"VARCHAR DEFAULT coalesce({brands.CURRENT}, '{brands.DEFAULT}')"


@dataclass(frozen=True)
class Column:
    """One stored column: ``type`` is DuckDB's (constraints included, e.g. ``NOT NULL``);
    ``added``: the migration that added it to an existing table (``None``: in the table's
    first ``CREATE``)."""

    name: str
    type: str
    added: str | None = None


@dataclass(frozen=True)
class Table:
    """One warehouse table. ``key``: the columns that identify a row when new data meets it
    (empty: an append-only log or a multiset); ``writers``: the modules whose SQL writes it;
    ``doc``: what a row is, one line."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    writers: tuple[str, ...]
    doc: str

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        """The column ``name``; ``KeyError`` when the table has none."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def branded(self) -> bool:
        """Whether each row belongs to one brand (a ``client`` column; :mod:`insights.brands`)."""
        return any(c.name == "client" for c in self.columns)


def _cols(spec: str, added: str | None = None) -> tuple[Column, ...]:
    """Columns from ``"name TYPE, name TYPE NOT NULL, ..."`` (types hold no commas)."""
    out = []
    for part in spec.split(","):
        name, typ = part.strip().split(" ", 1)
        out.append(Column(name, typ.strip(), added))
    return tuple(out)


_BRAND = (Column("client", BRAND_TYPE, "brands"),)

MARKER = Table(
    "insights_warehouse",
    _cols("key VARCHAR PRIMARY KEY, value VARCHAR"),
    key=("key",),
    writers=("insights.warehouse.connect",),
    doc="The marker that makes a DuckDB file a warehouse (format, created_by).",
)

TABLES: tuple[Table, ...] = (
    Table(
        "consumption",
        _cols(
            "ts_utc TIMESTAMPTZ NOT NULL, region VARCHAR NOT NULL, region_raw VARCHAR, "
            "region_known BOOLEAN, channel VARCHAR NOT NULL, topic VARCHAR, views DOUBLE, "
            "engagements DOUBLE, watch_seconds DOUBLE, source VARCHAR, file_sha256 VARCHAR"
        )
        + _cols("grain VARCHAR", "grain")
        + _BRAND,
        key=("client", "ts_utc", "region", "channel", "topic"),
        writers=("insights.ingest.merge", "insights.engines.train"),
        doc="Audience activity per hour (or day, grain 'day'), region and channel: events "
        "add, aggregates replace.",
    ),
    Table(
        "search_interest",
        _cols(
            "ts DATE NOT NULL, ts_end DATE, resolution VARCHAR, geo VARCHAR, geo_raw VARCHAR, "
            "geo_known BOOLEAN, term VARCHAR, interest DOUBLE, export_id VARCHAR, "
            "scale_group VARCHAR, file_sha256 VARCHAR"
        )
        + _cols("ts_hour TIMESTAMP", "grain"),
        key=("export_id", "ts", "geo", "term"),
        writers=("insights.sources.tables",),
        doc="Google Trends interest per period, geography and term (0-100 within one export).",
    ),
    Table(
        "energy",
        _cols(
            "ts_utc TIMESTAMPTZ NOT NULL, zone VARCHAR NOT NULL, "
            "carbon_intensity_direct DOUBLE, carbon_intensity_lca DOUBLE, "
            "renewable_pct DOUBLE, low_carbon_pct DOUBLE, load_mw DOUBLE, "
            "estimated BOOLEAN, source VARCHAR, load_source VARCHAR, file_sha256 VARCHAR"
        ),
        key=("ts_utc", "zone"),
        writers=("insights.warehouse.energy", "insights.engines.train"),
        doc="The grid per hour and zone: carbon intensity (gCO2eq/kWh), renewable and "
        "low-carbon share (%), load (MW); merged column by column (upsert_energy).",
    ),
    Table(
        "regions",
        _cols(
            "region VARCHAR PRIMARY KEY, country VARCHAR, grid_zone VARCHAR, "
            "grid_operator_code VARCHAR, tz VARCHAR, aliases VARCHAR"
        ),
        key=("region",),
        writers=("insights.warehouse.connect",),
        doc="Audience region -> grid zone -> time zone: configuration, rewritten on every "
        "write from the bundled table and INSIGHTS_REGIONS.",
    ),
    Table(
        "ingest_log",
        _cols(
            "sha256 VARCHAR, path VARCHAR, kind VARCHAR, rows_read BIGINT, rows_loaded BIGINT, "
            "rows_rejected BIGINT, status VARCHAR, reason VARCHAR, pii_dropped VARCHAR, "
            "started_at TIMESTAMPTZ, seconds DOUBLE"
        )
        + _cols(
            "shape VARCHAR, hourly_added BIGINT, hourly_replaced BIGINT, "
            "hourly_already_loaded BIGINT, events_already_loaded BIGINT",
            "merge-counts",
        )
        + _BRAND,
        key=(),
        writers=("insights.ingest.load",),
        doc="One row per file ingested (loaded, rejected or skipped), with what it did.",
    ),
    Table(
        "rejects",
        _cols("file_sha256 VARCHAR, path VARCHAR, line BIGINT, reason VARCHAR"),
        key=("file_sha256", "line"),
        writers=("insights.ingest.load",),
        doc="The rows a file had rejected, with the line and the reason.",
    ),
    Table(
        "consumption_events",
        _cols("ts_utc TIMESTAMPTZ, fp UBIGINT") + _BRAND,
        key=(),
        writers=("insights.ingest.merge",),
        doc="A 64-bit fingerprint per event loaded (with its UTC hour; no personal "
        "identifier), to recognise the same events in another file.",
    ),
    Table(
        "model_runs",
        _cols(
            "run_id VARCHAR PRIMARY KEY, kind VARCHAR, created_at TIMESTAMPTZ, params JSON, "
            "metrics JSON, package_version VARCHAR, sklearn_version VARCHAR, "
            "data_start TIMESTAMPTZ, data_end TIMESTAMPTZ"
        )
        + _BRAND,
        key=("run_id",),
        writers=("insights.training.io", "insights.engines.train"),
        doc="One row per `insights train`; the newest is the latest run (insights.warehouse.runs).",
    ),
    Table(
        "forecasts",
        _cols(
            "run_id VARCHAR, target VARCHAR, series_id VARCHAR, region VARCHAR, "
            "channel VARCHAR, zone VARCHAR, ts_utc TIMESTAMPTZ, yhat DOUBLE, yhat_lo DOUBLE, "
            "yhat_hi DOUBLE, method VARCHAR"
        )
        + _BRAND,
        key=("run_id", "target", "series_id", "ts_utc"),
        writers=("insights.training.io", "insights.engines.train"),
        doc="A run's hourly forecasts with their interval: engagement per series, grid "
        "signals per zone.",
    ),
    Table(
        "recommendations",
        _cols(
            "run_id VARCHAR, created_at TIMESTAMPTZ, params JSON, rank INTEGER, region VARCHAR, "
            "channel VARCHAR, grid_zone VARCHAR, start_local VARCHAR, start_utc TIMESTAMPTZ, "
            "window_hours INTEGER, expected_engagement DOUBLE, engagement_low DOUBLE, "
            "engagement_high DOUBLE, renewable_pct DOUBLE, carbon_intensity DOUBLE, "
            "energy_availability DOUBLE, score DOUBLE, engagement_vs_best_pct DOUBLE, "
            "carbon_vs_best_pct DOUBLE"
        )
        + _cols(
            "renewable_pct_low DOUBLE, renewable_pct_high DOUBLE, "
            "carbon_intensity_low DOUBLE, carbon_intensity_high DOUBLE",
            "energy-intervals",
        )
        + _cols("renewable_vs_best_pp DOUBLE", "renewable-vs-best")
        + _BRAND
        + _cols("energy_signals_disagree BOOLEAN", "signals-disagree"),
        key=("run_id", "rank"),
        writers=("insights.warehouse.runs",),
        doc="Each stored recommendation run: ranked slots with engagement and grid signals.",
    ),
    Table(
        "studio_energy",
        _cols(
            "ts_utc TIMESTAMPTZ NOT NULL, source VARCHAR NOT NULL, device VARCHAR NOT NULL, "
            "job VARCHAR NOT NULL, kwh DOUBLE, seconds_covered DOUBLE, file_sha256 VARCHAR"
        ),
        key=("ts_utc", "source", "device", "job"),
        writers=("insights.studio.readers",),
        doc="The studio's own measured energy (kWh) per hour, device and job.",
    ),
    Table(
        "cenace_generation",
        _cols(
            "ts_utc TIMESTAMPTZ NOT NULL, system VARCHAR NOT NULL, technology VARCHAR NOT NULL, "
            "mwh DOUBLE, settlement INTEGER, month DATE, source VARCHAR, file_sha256 VARCHAR"
        ),
        key=("ts_utc", "system", "technology"),
        writers=("insights.ingest.cenace",),
        doc="CENACE's generation (MWh) per hour, national system and technology; a later "
        "settlement (0..5) replaces an earlier one.",
    ),
    Table(
        "posts",
        _cols(
            "platform VARCHAR NOT NULL, account VARCHAR, post_id VARCHAR NOT NULL, "
            "published_utc TIMESTAMPTZ, post_type VARCHAR, channel VARCHAR, region VARCHAR, "
            "impressions BIGINT, reach BIGINT, views BIGINT, likes BIGINT, comments BIGINT, "
            "shares BIGINT, saves BIGINT, engagements BIGINT, source VARCHAR, "
            "file_sha256 VARCHAR, exported_at TIMESTAMPTZ"
        )
        + _BRAND,
        key=("client", "platform", "post_id"),
        writers=("insights.sources.tables",),
        doc="Per-post lifetime totals from the platforms' downloads; a re-export replaces "
        "the post's metrics.",
    ),
    Table(
        "audience_activity",
        _cols(
            "platform VARCHAR, channel VARCHAR, weekday SMALLINT, hour_local SMALLINT, "
            "tz VARCHAR, value DOUBLE, metric VARCHAR, source VARCHAR, file_sha256 VARCHAR"
        )
        + _BRAND,
        key=("client", "platform", "channel", "metric", "weekday", "hour_local"),
        writers=("insights.sources.tables",),
        doc="Followers active by weekday (0 = Monday) and local hour: a profile without "
        "dates; a new export replaces the profile.",
    ),
    Table(
        "audience_shares",
        _cols(
            "platform VARCHAR, channel VARCHAR, geo VARCHAR, geo_level VARCHAR, metric VARCHAR, "
            "value DOUBLE, share DOUBLE, source VARCHAR, file_sha256 VARCHAR"
        )
        + _BRAND,
        key=("client", "platform", "channel", "geo_level", "metric", "geo"),
        writers=("insights.sources.tables",),
        doc="An audience's shares by geography, without time; a new export replaces the "
        "distribution.",
    ),
    Table(
        "daily_series",
        _cols(
            "day DATE, platform VARCHAR, channel VARCHAR, region VARCHAR, metric VARCHAR, "
            "value DOUBLE, source VARCHAR, file_sha256 VARCHAR"
        )
        + _BRAND,
        key=("client", "day", "platform", "channel", "region", "metric"),
        writers=("insights.sources.tables",),
        doc="Daily totals at grain day, never given an hour.",
    ),
    Table(
        "advice_backtests",
        _cols(
            "run_id VARCHAR, params_hash VARCHAR, params JSON, created_at TIMESTAMPTZ, "
            "package_version VARCHAR, slots BLOB"
        ),
        key=("run_id", "params_hash"),
        writers=("insights.recommend.advice_store",),
        doc="The strategist report's advice replay per model run and parameter set "
        "(the per-slot frame as Parquet bytes).",
    ),
    Table(
        "backtest_scores",
        _cols(
            "run_id VARCHAR, target VARCHAR, step VARCHAR, series VARCHAR, cutoff INTEGER, "
            "bucket VARCHAR, method VARCHAR, metric VARCHAR, value DOUBLE"
        ),
        key=("run_id", "target", "step", "series", "cutoff", "bucket", "method", "metric"),
        writers=("insights.training.io",),
        doc="The forecast backtests `insights train` computed, stored with its run (long: "
        "one row per series or zone, cut-off or horizon bucket, method and metric) and read "
        "back (insights.queries.backtest_scores) instead of recomputed.",
    ),
)

#: Every table by name, the marker included.
BY_NAME: dict[str, Table] = {t.name: t for t in (MARKER, *TABLES)}


def table(name: str) -> Table:
    """The spec of table ``name``; ``KeyError`` naming the known tables otherwise."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"no warehouse table {name!r}; tables: {', '.join(BY_NAME)}") from None
