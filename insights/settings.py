"""Settings from the environment, read in one place.

==============================  =============================================  =====================
variable                        what                                           default
==============================  =============================================  =====================
``INSIGHTS_DB``                 the warehouse file                             data/warehouse.duckdb
``INSIGHTS_LOCK_TIMEOUT``       seconds to wait for a busy warehouse (>= 0)    900
``INSIGHTS_REGIONS``            CSV extending or overriding the regions table  none
``INSIGHTS_STUDIO_TZ``          studio's IANA zone for logs without offsets    America/Mexico_City
``INSIGHTS_API_TOKEN``          bearer token ``insights serve`` demands        none
``INSIGHTS_CLIENT``             the brand commands work on (``--client``)      the only brand
``INSIGHTS_API_CLIENT_TOKENS``  ``BRAND=TOKEN;...``: tokens of one brand       none
``INSIGHTS_ENGINE``             where ``train`` fits the brands: local, spark   local
``INSIGHTS_SPARK_MASTER``       the Spark master of ``--engine spark``         local[2]
``INSIGHTS_LAKE``               the Iceberg catalog URI (``--lake``)           none
``INSIGHTS_LAKE_WAREHOUSE``     where a PostgreSQL catalog's files go          none
``INSIGHTS_VARIANTS``           the API's content variants (a JSON file)       the stated defaults
``INSIGHTS_API_ALLOWED_HOSTS``  ``Host`` names the API answers (comma list)    loopback names
==============================  =============================================  =====================

Variables the package sets for its own child processes (the report's kernels, Spark's
workers) and the libraries' own (``OMP_NUM_THREADS``, ``SPARK_REMOTE``) are not settings
and are read where they act.

:func:`current` reads them all at once into a frozen :class:`Settings`; an empty value is
the same as an unset one. Values are kept as given and checked where they are used (a bad
``INSIGHTS_LOCK_TIMEOUT`` stops only the commands that take the lock, with exit code 2),
so that a command never fails on a setting it does not need. ``current`` reads the
environment on every call (a few dictionary look-ups), so a test or a notebook that
changes a variable sees the change.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass

from insights.errors import InsightsError

DB_ENV = "INSIGHTS_DB"
LOCK_TIMEOUT_ENV = "INSIGHTS_LOCK_TIMEOUT"
REGIONS_ENV = "INSIGHTS_REGIONS"
STUDIO_TZ_ENV = "INSIGHTS_STUDIO_TZ"
API_TOKEN_ENV = "INSIGHTS_API_TOKEN"
ENGINE_ENV = "INSIGHTS_ENGINE"
CLIENT_ENV = "INSIGHTS_CLIENT"
API_CLIENT_TOKENS_ENV = "INSIGHTS_API_CLIENT_TOKENS"
SPARK_MASTER_ENV = "INSIGHTS_SPARK_MASTER"
LAKE_ENV = "INSIGHTS_LAKE"
LAKE_WAREHOUSE_ENV = "INSIGHTS_LAKE_WAREHOUSE"
VARIANTS_ENV = "INSIGHTS_VARIANTS"
API_ALLOWED_HOSTS_ENV = "INSIGHTS_API_ALLOWED_HOSTS"

DEFAULT_DB = "data/warehouse.duckdb"
DEFAULT_LOCK_TIMEOUT_S = 900.0
DEFAULT_STUDIO_TZ = "America/Mexico_City"


@dataclass(frozen=True)
class Settings:
    """The environment's settings, each ``None`` when unset or empty."""

    db: str | None = None
    lock_timeout_raw: str | None = None
    regions_file: str | None = None
    studio_tz_name: str | None = None
    api_token: str | None = None
    client: str | None = None
    api_client_tokens: str | None = None
    engine: str | None = None
    spark_master: str | None = None
    lake: str | None = None
    lake_warehouse: str | None = None
    variants_file: str | None = None
    api_allowed_hosts: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            return env.get(name) or None

        raw = (env.get(LOCK_TIMEOUT_ENV) or "").strip() or None
        return cls(
            db=get(DB_ENV),
            lock_timeout_raw=raw,
            regions_file=get(REGIONS_ENV),
            studio_tz_name=get(STUDIO_TZ_ENV),
            api_token=get(API_TOKEN_ENV),
            client=(env.get(CLIENT_ENV) or "").strip() or None,
            api_client_tokens=get(API_CLIENT_TOKENS_ENV),
            engine=(env.get(ENGINE_ENV) or "").strip() or None,
            spark_master=(env.get(SPARK_MASTER_ENV) or "").strip() or None,
            lake=(env.get(LAKE_ENV) or "").strip() or None,
            lake_warehouse=(env.get(LAKE_WAREHOUSE_ENV) or "").strip() or None,
            variants_file=get(VARIANTS_ENV),
            api_allowed_hosts=get(API_ALLOWED_HOSTS_ENV),
        )

    @property
    def db_or_default(self) -> str:
        """``INSIGHTS_DB``, else ``data/warehouse.duckdb`` (resolved by ``insights.paths``)."""
        return self.db or DEFAULT_DB

    @property
    def lock_timeout_s(self) -> float:
        """Seconds to wait for the warehouse, default 900.

        :raises InsightsError: (exit 2) when the value is not a finite number >= 0.
        """
        raw = self.lock_timeout_raw
        if raw is None:
            return DEFAULT_LOCK_TIMEOUT_S
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value < 0:
            raise InsightsError(
                f"{LOCK_TIMEOUT_ENV}={raw!r}: give the seconds to wait for a busy warehouse "
                "as a number >= 0 (default 900)"
            )
        return value

    @property
    def studio_tz(self) -> str:
        """The studio's IANA time zone name (not checked here: the log readers reject a
        bad one with the file that needed it)."""
        return self.studio_tz_name or DEFAULT_STUDIO_TZ


def current() -> Settings:
    """The settings as the environment has them now."""
    return Settings.from_env()
