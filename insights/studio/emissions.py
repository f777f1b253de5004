"""What the studio's measured kWh emitted, hour by hour, and what shifting jobs would save.

Location-based and time-matched: each hour's kWh x the zone's carbon intensity for that
hour (Electricity Maps' ``carbon_intensity_direct``, gCO2eq/kWh, the operational factor that
official grid factors also use), next to the same kWh x one yearly average factor (the
zone's mean hourly intensity over the year before the studio's last hour, or a factor given
by the user), so the difference is what timing changed. Hours with no intensity in the
warehouse are priced at the yearly factor and counted.

Shifting (hindsight, the rule of ``insights render-window`` applied to what was measured): a
job's hourly profile may start 0 ... ``slack_hours`` later than it did (it must finish by its
actual end + slack); the start with the lowest kgCO2e is taken. With known intensities this
is an upper bound on what a forecast-driven choice would have saved.
"""

from __future__ import annotations

import fnmatch
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from insights import InsightsError, sql
from insights.studio import DEFAULT_ZONE


def resolve_zone(zone: str | None, region: str | None) -> tuple[str, str]:
    """(grid zone, IANA time zone) from --zone or --region; default Mexico City's."""
    from insights.regions import canonical_region, canonical_zone, load_regions

    regions = load_regions()
    if region:
        name = canonical_region(region) or region
        row = regions.filter(pl.col("region") == name)
        if row.height == 0:
            raise InsightsError(f"--region {region!r}: unknown region")
        return row["grid_zone"][0], row["tz"][0]
    z = canonical_zone(zone or DEFAULT_ZONE)
    row = regions.filter(pl.col("grid_zone") == z)
    return z, (row["tz"][0] if row.height else "UTC")


def load_hourly(con) -> pl.DataFrame:
    """``ts_utc, source, device, job, kwh`` from the warehouse (empty when nothing is logged)."""
    return sql.frame(
        con, "SELECT ts_utc, source, device, job, kwh FROM studio_energy ORDER BY ts_utc, job"
    )


def signal_zone(con, zone: str) -> str:
    """``zone``, or its country's national zone (``MX-CE`` -> ``MX``: CENACE's national mix)
    when only the national one has carbon intensity in the warehouse (as the recommendation
    does, :func:`insights.recommend.slots.national_fallback`)."""
    national = zone.split("-")[0]
    if national == zone:
        return zone
    has = sql.one(
        con,
        "SELECT count(*) FILTER (zone = ?), count(*) FILTER (zone = ?) FROM energy "
        "WHERE carbon_intensity_direct IS NOT NULL",
        [zone, national],
    )
    return national if has and not has[0] and has[1] else zone


def zone_intensity(con, zone: str) -> pl.DataFrame:
    """``ts_utc, ci`` (gCO2eq/kWh, direct) for ``zone``, hourly, sorted."""
    return sql.frame(
        con,
        """SELECT ts_utc, carbon_intensity_direct AS ci FROM energy
           WHERE zone = ? AND carbon_intensity_direct IS NOT NULL ORDER BY ts_utc""",
        [zone],
    )


def year_hours(ci: pl.DataFrame, until: datetime) -> pl.DataFrame:
    """The hourly intensities of the 365 days up to ``until`` (what the yearly factor means)."""
    return ci.filter((pl.col("ts_utc") > until - timedelta(days=365)) & (pl.col("ts_utc") <= until))


def annual_factor(ci: pl.DataFrame, until: datetime) -> tuple[float, str]:
    """Mean hourly intensity over the 365 days up to ``until``, and a sentence saying so."""
    year = year_hours(ci, until)
    if year.height == 0:
        raise InsightsError("no carbon intensity for the zone in the year before the logs")
    days = year.height / 24
    return float(year["ci"].mean()), f"mean of {year.height} hourly values ({days:.0f} days)"


def best_shift(profile: np.ndarray, ci: np.ndarray, slack: int) -> tuple[int, float, float]:
    """Lowest-emission delay for a job.

    ``profile``: the job's kWh per hour (length L); ``ci``: gCO2eq/kWh from the job's first
    hour on (length >= L, NaN where unknown); delays 0..``slack`` whose hours are all known
    are tried. Returns ``(delay_h, kg_as_run, kg_at_best)``.

    >>> best_shift(np.array([1.0, 1.0]), np.array([400.0, 300, 100, 100]), 2)
    (2, 0.7, 0.2)
    """
    used = profile > 0
    kg = lambda d: float(np.dot(profile, ci[d : d + len(profile)]) / 1000)  # noqa: E731
    as_run = kg(0)
    best, best_kg = 0, as_run
    for d in range(1, slack + 1):
        window = ci[d : d + len(profile)]
        if len(window) < len(profile) or np.isnan(window[used]).any():
            continue
        k = kg(d)
        if k < best_kg - 1e-12:
            best, best_kg = d, k
    return best, round(as_run, 10), round(best_kg, 10)


def _grid(hourly: pl.DataFrame, ci: pl.DataFrame, slack: int) -> pl.DataFrame:
    start, end = hourly["ts_utc"].min(), hourly["ts_utc"].max() + timedelta(hours=slack)
    grid = pl.DataFrame(
        {"ts_utc": pl.datetime_range(start, end, "1h", time_zone="UTC", eager=True)}
    )
    return grid.join(ci, on="ts_utc", how="left")


def summarize(
    hourly: pl.DataFrame,
    ci: pl.DataFrame,
    tz: str,
    annual_g: float,
    flexible: list[str] | None = None,
    slack_hours: int = 12,
) -> dict:
    """kWh and kgCO2e per day, ISO week and job; time-matched vs the yearly factor; shifts.

    ``hourly``: ``ts_utc, source, device, job, kwh``; ``ci``: ``ts_utc, ci``; ``tz``: the
    zone's IANA zone (days and weeks are local); ``annual_g``: gCO2eq/kWh;
    ``flexible``: glob patterns on job labels. kg rounded to 3 decimals.
    """
    if hourly.height == 0:
        raise InsightsError(
            "no studio logs in the warehouse; ingest nvidia-smi or CodeCarbon logs first"
        )
    z = ZoneInfo(tz)
    priced = (
        hourly.join(ci, on="ts_utc", how="left")
        .with_columns(
            pl.col("ci").is_null().alias("no_ci"),
            (pl.col("kwh") * pl.col("ci").fill_null(annual_g) / 1000).alias("kg"),
            (pl.col("kwh") * annual_g / 1000).alias("kg_annual"),
            pl.col("ts_utc").dt.convert_time_zone(tz).dt.date().alias("day"),
        )
        .with_columns(pl.col("day").dt.truncate("1w").alias("week"))
    )

    def agg(by: str) -> list[dict]:
        g = (
            priced.group_by(by)
            .agg(
                pl.col("kwh").sum(),
                pl.col("kg").sum(),
                pl.col("kg_annual").sum(),
            )
            .sort(by)
            .with_columns((pl.col("kg") - pl.col("kg_annual")).alias("kg_diff"))
        )
        return [
            {k: (round(v, 3) if isinstance(v, float) else str(v)) for k, v in r.items()}
            for r in g.iter_rows(named=True)
        ]

    grid = _grid(hourly, ci, slack_hours)
    t0 = grid["ts_utc"][0]
    ci_arr = grid["ci"].to_numpy().astype(float)
    patterns = flexible or []
    jobs, shift = [], {"flexible": [0.0, 0.0, 0], "all": [0.0, 0.0, 0]}
    for (job,), part in priced.group_by(["job"], maintain_order=True):
        per_hour = part.group_by("ts_utc").agg(pl.col("kwh").sum()).sort("ts_utc")
        first = per_hour["ts_utc"][0]
        i0 = int((first - t0).total_seconds() // 3600)
        n = int((per_hour["ts_utc"][-1] - first).total_seconds() // 3600) + 1
        profile = np.zeros(n)
        idx = ((per_hour["ts_utc"] - first).dt.total_seconds() // 3600).cast(pl.Int64).to_numpy()
        profile[idx] = per_hour["kwh"].to_numpy()
        window = ci_arr[i0 : i0 + n + slack_hours].copy()
        window[:n][np.isnan(window[:n])] = annual_g  # as run: unknown hours at the yearly factor
        delay, kg_run, kg_best = best_shift(profile, window, slack_hours)
        is_flex = any(fnmatch.fnmatch(job, p) for p in patterns)
        for key, on in (("flexible", is_flex), ("all", True)):
            if on:
                shift[key][0] += kg_run
                shift[key][1] += kg_best
                shift[key][2] += 1
        jobs.append(
            {
                "job": job,
                "source": ", ".join(sorted(part["source"].unique())),
                "devices": part["device"].n_unique(),
                "start_local": first.astimezone(z).strftime("%Y-%m-%d %H:%M"),
                "hours": n,
                "kwh": round(float(part["kwh"].sum()), 3),
                "kg": round(float(part["kg"].sum()), 3),
                "kg_annual": round(float(part["kg_annual"].sum()), 3),
                "flexible": is_flex,
                "best_delay_h": delay,
                "kg_if_shifted": round(kg_best, 3),
                "saving_kg": round(kg_run - kg_best, 3),
            }
        )
    kwh, kg, kg_a = (float(priced[c].sum()) for c in ("kwh", "kg", "kg_annual"))
    end = hourly["ts_utc"].max() + timedelta(hours=1)
    return {
        "tz": tz,
        "period_local": [
            hourly["ts_utc"].min().astimezone(z).isoformat(),
            end.astimezone(z).isoformat(),
        ],
        "annual_factor_g_per_kwh": round(annual_g, 1),
        "total": {
            "kwh": round(kwh, 3),
            "kgco2e": round(kg, 3),
            "kgco2e_annual_factor": round(kg_a, 3),
            "kg_diff": round(kg - kg_a, 3),
            "diff_pct": round(100 * (kg - kg_a) / kg_a, 1) if kg_a else None,
            "matched_g_per_kwh": round(1000 * kg / kwh, 1) if kwh else None,
            "hours_without_intensity": int(priced.filter(pl.col("no_ci"))["ts_utc"].n_unique()),
        },
        "by_source": agg("source"),
        "days": agg("day"),
        "weeks": agg("week"),
        "jobs": jobs,
        "shift": {
            "slack_hours": slack_hours,
            "flexible_patterns": patterns,
            **{
                k: {
                    "jobs": v[2],
                    "kgco2e": round(v[0], 3),
                    "kgco2e_shifted": round(v[1], 3),
                    "saving_kg": round(v[0] - v[1], 3),
                    "saving_pct": round(100 * (v[0] - v[1]) / v[0], 1) if v[0] else 0.0,
                }
                for k, v in shift.items()
            },
        },
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
