"""PV output hour by hour with pvlib, fully offline, and the size that offsets the studio's kWh.

Model (per kWp of modules, hourly, sun position at the middle of each hour):

1. clear-sky GHI, DNI, DHI: Ineichen-Perez with the Linke turbidity that pvlib ships
   (``pvlib.clearsky.lookup_linke_turbidity``, monthly climatology; no download);
2. cloudiness: clear sky is an upper bound, so each month's irradiance is scaled by a
   clear-sky index -- by default :data:`DEFAULT_CLEAR_SKY_INDEX` (an assumption for a
   dry-winter, wet-summer highland climate such as Mexico City's), or so that the month's
   mean daily GHI equals the user's ``monthly_ghi`` (kWh/m2/day, e.g. from NASA POWER or the
   Global Solar Atlas);
3. plane of array: isotropic sky, ground albedo 0.2; beam reduced by the physical
   incidence-angle modifier (``pvlib.iam.physical``);
4. cell temperature: SAPM, open rack glass/polymer; air ``temp_air`` °C, wind 1 m/s;
5. DC: PVWatts (``pvlib.pvsystem.pvwatts_dc``, gamma -0.37 %/°C), then system losses
   (default 14 %, PVWatts' default total: soiling, shading, mismatch, wiring, ...);
6. AC: PVWatts inverter (``pvlib.inverter.pvwatts``), nominal efficiency 96 %,
   DC/AC ratio 1.2 (PVWatts defaults, NREL Technical Report NREL/TP-6A20-62641, 2014).

Sizing: annual net -- the kWp whose modelled yearly output equals the studio's yearly kWh
(measured kWh scaled to 365 days). Hour by hour -- the share of the logged kWh that falls on
PV produced in the same hour, as logged and with flexible jobs moved (0..slack hours later)
to the sunniest start; and, for a target share, the smallest battery that reaches it.
"""

from __future__ import annotations

import fnmatch
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import polars as pl

from insights.studio import MEXICO_CITY

# pvlib 0.16 under pandas 3 warns of a deprecated pandas attribute it still uses; harmless
warnings.filterwarnings("ignore", message=r".*dayofyear is deprecated", module=r"pvlib\.")

# Clear-sky index by month, Jan..Dec: dry, sunny winters; the rainy season (June-September)
# clouds the afternoons. An assumption (not data): pass monthly_ghi to use measured figures.
DEFAULT_CLEAR_SKY_INDEX = (0.80, 0.80, 0.78, 0.76, 0.72, 0.62, 0.60, 0.62, 0.60, 0.68, 0.76, 0.78)
# Published check: Global Solar Atlas 2 (World Bank/ESMAP, Solargis) long-term PVOUT for Mexico
# City, about 4.3 kWh/kWp/day = ~1,570 kWh/kWp/yr for an optimally tilted fixed system
# (figure as recalled from globalsolaratlas.info; not downloaded -- no network here).
PUBLISHED_YIELD = {
    "kwh_per_kwp_yr": 1570.0,
    "source": "Global Solar Atlas 2 (World Bank/ESMAP, Solargis), PVOUT, Mexico City",
}


@dataclass
class PVSettings:
    latitude: float = MEXICO_CITY[0]
    longitude: float = MEXICO_CITY[1]
    altitude: float = MEXICO_CITY[2]
    tilt: float = 20.0
    azimuth: float = 180.0
    losses: float = 0.14
    dc_ac_ratio: float = 1.2
    inverter_eff: float = 0.96
    gamma_pdc: float = -0.0037
    temp_air: float = 18.0
    albedo: float = 0.2
    clear_sky_index: tuple[float, ...] = DEFAULT_CLEAR_SKY_INDEX
    monthly_ghi: tuple[float, ...] | None = None  # kWh/m2/day, Jan..Dec
    notes: list[str] = field(default_factory=list)


def _clearsky(times: pd.DatetimeIndex, s: PVSettings):
    from pvlib.location import Location

    loc = Location(s.latitude, s.longitude, tz="UTC", altitude=s.altitude)
    mid = times + pd.Timedelta(minutes=30)
    sun = loc.get_solarposition(mid)
    cs = loc.get_clearsky(mid, model="ineichen", solar_position=sun)
    return sun, cs


def month_index(s: PVSettings, year: int = 2025) -> np.ndarray:
    """Scale factor per month (Jan..Dec) applied to clear-sky irradiance."""
    if s.monthly_ghi is None:
        return np.asarray(s.clear_sky_index, dtype=float)
    if len(s.monthly_ghi) != 12 or min(s.monthly_ghi) <= 0:
        raise ValueError("monthly GHI needs 12 positive values (kWh/m2/day, Jan..Dec)")
    times = pd.date_range(f"{year}-01-01", f"{year + 1}-01-01", freq="1h", tz="UTC")[:-1]
    _, cs = _clearsky(times, s)
    clear = (
        cs["ghi"].groupby(cs.index.month).sum()
        / 1000
        / times.to_series().groupby(times.month).count().values
        * 24
    )
    return np.asarray(s.monthly_ghi, dtype=float) / clear.values


def pv_kwh_per_kwp(times_utc, s: PVSettings) -> np.ndarray:
    """AC kWh per kWp for each hour starting at ``times_utc`` (UTC hour starts)."""
    import pvlib

    times = pd.DatetimeIndex(pd.to_datetime(list(times_utc), utc=True))
    sun, cs = _clearsky(times, s)
    k = month_index(s)[times.month - 1]
    ghi, dni, dhi = (cs[c].to_numpy() * k for c in ("ghi", "dni", "dhi"))
    poa = pvlib.irradiance.get_total_irradiance(
        s.tilt,
        s.azimuth,
        sun["apparent_zenith"].to_numpy(),
        sun["azimuth"].to_numpy(),
        dni,
        ghi,
        dhi,
        albedo=s.albedo,
    )
    aoi = pvlib.irradiance.aoi(s.tilt, s.azimuth, sun["apparent_zenith"], sun["azimuth"])
    iam = np.nan_to_num(np.asarray(pvlib.iam.physical(aoi)), nan=0.0)
    effective = np.asarray(poa["poa_direct"]) * iam + np.asarray(poa["poa_diffuse"])
    effective = np.clip(np.nan_to_num(effective), 0, None)
    params = pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"]["open_rack_glass_polymer"]
    t_cell = pvlib.temperature.sapm_cell(effective, s.temp_air, 1.0, **params)
    pdc = pvlib.pvsystem.pvwatts_dc(effective, t_cell, 1000.0, s.gamma_pdc) * (1 - s.losses)
    pac0 = 1000.0 / s.dc_ac_ratio
    pac = pvlib.inverter.pvwatts(pdc, pac0 / s.inverter_eff, s.inverter_eff)
    return np.clip(np.nan_to_num(np.asarray(pac, dtype=float)), 0, None) / 1000.0


def specific_yield(s: PVSettings, year: int = 2025) -> float:
    """kWh per kWp over a year of hours (UTC)."""
    times = pd.date_range(f"{year}-01-01", f"{year + 1}-01-01", freq="1h", tz="UTC")[:-1]
    return float(pv_kwh_per_kwp(times, s).sum())


def hourly_profile(s: PVSettings, year: int = 2025) -> pl.DataFrame:
    """Mean AC kW per kWp by local solar-clock hour (UTC hour + longitude/15), for charts."""
    times = pd.date_range(f"{year}-01-01", f"{year + 1}-01-01", freq="1h", tz="UTC")[:-1]
    pv = pv_kwh_per_kwp(times, s)
    return pl.DataFrame({"ts_utc": times.to_numpy(), "kw_per_kwp": pv})


def matched_share(load: np.ndarray, pv: np.ndarray) -> float:
    """Share of ``load`` kWh covered by ``pv`` kWh in the same hour.

    >>> matched_share(np.array([2.0, 2, 0]), np.array([0.0, 3, 5]))
    0.5
    """
    total = load.sum()
    return float(np.minimum(load, pv).sum() / total) if total else 0.0


def battery_matched(load: np.ndarray, pv: np.ndarray, kwh: float, eff: float = 0.9) -> float:
    """Matched share with a battery of ``kwh`` (starts empty; charges from surplus PV at
    round-trip efficiency ``eff``, discharges into later deficits).

    >>> battery_matched(np.array([0.0, 2]), np.array([2.0, 0]), 10, eff=1.0)
    1.0
    """
    soc, covered = 0.0, 0.0
    for lo, pv_h in zip(load, pv, strict=True):
        direct = min(lo, pv_h)
        covered += direct
        surplus, deficit = pv_h - direct, lo - direct
        if surplus > 0:
            soc = min(kwh, soc + surplus * eff)
        elif deficit > 0:
            out = min(soc, deficit)
            soc -= out
            covered += out
    total = load.sum()
    return float(covered / total) if total else 0.0


def battery_for(load: np.ndarray, pv: np.ndarray, target: float, eff: float = 0.9) -> float | None:
    """Smallest battery kWh (to 0.1 kWh) reaching ``target`` matched share; None if none does."""
    hi = float(load.sum()) + 1
    if battery_matched(load, pv, hi, eff) < target:
        return None
    if matched_share(load, pv) >= target:
        return 0.0
    lo = 0.0
    while hi - lo > 0.05:
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if battery_matched(load, pv, mid, eff) >= target else (mid, hi)
    return round(hi, 1)


def shift_to_sun(
    jobs: dict[str, np.ndarray],
    starts: dict[str, int],
    base: np.ndarray,
    pv: np.ndarray,
    slack: int,
) -> np.ndarray:
    """Move each job (kWh per hour from index ``starts[job]``) 0..``slack`` hours later to the
    start where the PV left over by ``base`` (the load that stays put) covers it most; jobs
    placed largest first. Returns the new total load (same length as ``pv``)."""
    load = base.copy()
    for name in sorted(jobs, key=lambda j: -jobs[j].sum()):
        prof, i0 = jobs[name], starts[name]
        best, best_cov = 0, -1.0
        for d in range(slack + 1):
            j = i0 + d
            if j + len(prof) > len(pv):
                break
            left = np.clip(pv[j : j + len(prof)] - load[j : j + len(prof)], 0, None)
            cov = float(np.minimum(prof, left).sum())
            if cov > best_cov + 1e-12:
                best, best_cov = d, cov
        load[i0 + best : i0 + best + len(prof)] += prof
    return load


def size(
    hourly: pl.DataFrame,
    s: PVSettings,
    flexible: list[str] | None = None,
    slack_hours: int = 12,
    target: float | None = None,
) -> dict:
    """Size PV for the studio's logged ``hourly`` kWh (``ts_utc, job, kwh``).

    Returns kWp (annual net), specific yield, matched shares as logged and shifted, and the
    battery for ``target``; the check against :data:`PUBLISHED_YIELD` when the location is
    Mexico City's.
    """
    yield_ = specific_yield(s)
    total = float(hourly["kwh"].sum())
    first, last = hourly["ts_utc"].min(), hourly["ts_utc"].max()
    span_days = max(1.0, np.ceil(((last - first).total_seconds() / 3600 + 1) / 24))
    yearly = total * 365 / span_days
    kwp = yearly / yield_ if yield_ else float("inf")
    grid = pl.datetime_range(
        first, last + pl.duration(hours=slack_hours), "1h", time_zone="UTC", eager=True
    )
    idx = {t: i for i, t in enumerate(grid.to_list())}
    pv = pv_kwh_per_kwp(grid.to_list(), s) * kwp
    load = np.zeros(len(grid))
    per_hour = hourly.group_by("ts_utc").agg(pl.col("kwh").sum())
    for t, k in per_hour.iter_rows():
        load[idx[t]] += k
    patterns = flexible if flexible is not None else ["*"]
    jobs, starts = {}, {}
    base = load.copy()
    for (job,), part in hourly.group_by(["job"], maintain_order=True):
        if not any(fnmatch.fnmatch(job, p) for p in patterns):
            continue
        ph = part.group_by("ts_utc").agg(pl.col("kwh").sum()).sort("ts_utc")
        i0 = idx[ph["ts_utc"][0]]
        prof = np.zeros(idx[ph["ts_utc"][-1]] - i0 + 1)
        for t, k in ph.iter_rows():
            prof[idx[t] - i0] += k
        jobs[job], starts[job] = prof, i0
        base[i0 : i0 + len(prof)] -= prof
    shifted = shift_to_sun(jobs, starts, np.clip(base, 0, None), pv, slack_hours)
    out = {
        "location": {
            "latitude": s.latitude,
            "longitude": s.longitude,
            "altitude_m": s.altitude,
            "tilt": s.tilt,
            "azimuth": s.azimuth,
        },
        "losses_pct": round(100 * s.losses, 1),
        "irradiance": "user monthly GHI" if s.monthly_ghi else "clear sky x default monthly index",
        "specific_yield_kwh_per_kwp": round(yield_, 1),
        "logged_kwh": round(total, 3),
        "logged_days": int(span_days),
        "yearly_kwh": round(yearly, 1),
        "kwp_annual_net": round(kwp, 2),
        "pv_kwh_in_logged_period": round(float(pv[: len(grid) - slack_hours].sum()), 2),
        "matched_share_as_logged": round(matched_share(load, pv), 3),
        "matched_share_shifted": round(matched_share(shifted, pv), 3),
        "shifted_jobs": len(jobs),
        "slack_hours": slack_hours,
    }
    if target is not None:
        out["target_share"] = target
        out["battery_kwh"] = battery_for(load, pv, target)
        if out["battery_kwh"] is None:  # what the largest useful battery reaches
            out["max_share_with_battery"] = round(battery_matched(load, pv, float(load.sum())), 3)
    near_cdmx = abs(s.latitude - MEXICO_CITY[0]) < 0.5 and abs(s.longitude - MEXICO_CITY[1]) < 0.5
    if near_cdmx:
        ref = PUBLISHED_YIELD["kwh_per_kwp_yr"]
        out["published_check"] = {
            **PUBLISHED_YIELD,
            "difference_pct": round(100 * (yield_ - ref) / ref, 1),
        }
    return out
