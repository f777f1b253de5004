"""Energy forecaster MAE by horizon bucket on the national CENACE series, against persistence
and 24-hour seasonal naive. The series is the demo generator's (synthetic, calibrated) mix run
through the same derivation as an ingested CENACE file; pass monthly CENACE files to use real
ones instead: python benchmarks/cenace_horizon.py [FILE ...]"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from insights.demo_data import _hours, cenace_mix_frame, cenace_month_text
from insights.ingest import archive
from insights.ingest.cenace import derive_energy, parse_generation
from insights.models.energy import EnergyForecaster
from insights.models.energy_horizon import mae_by_horizon


def national_series(files: list[Path]) -> pl.DataFrame:
    if not files:
        import tempfile

        mix = cenace_mix_frame(_hours(datetime(2025, 11, 30, 23, tzinfo=UTC), 400), seed=7)
        tmp = Path(tempfile.mkdtemp())
        months = mix.with_columns(pl.col("Dia").dt.strftime("%Y-%m").alias("_m"))
        for (m,), part in months.partition_by("_m", as_dict=True, maintain_order=True).items():
            (tmp / f"{m}.csv").write_bytes(
                cenace_month_text(part.drop("_m"), 1, datetime(2025, 12, 15, tzinfo=UTC))
            )
        files = sorted(tmp.glob("*.csv"))
    files = archive.expand_all(files)  # the page's ZIP downloads: their CSV
    long = pl.concat([parse_generation(f)[0] for f in files])
    return derive_energy(long)


def main() -> None:
    energy = national_series([Path(a) for a in sys.argv[1:]])
    print(
        f"national series: {energy.height} hours, {energy['ts_utc'].min()} .. "
        f"{energy['ts_utc'].max()}"
    )
    for target in ("renewable_pct", "carbon_intensity_direct"):
        df = energy.select(
            pl.col("zone").alias("series_id"),
            pl.col("ts_utc").alias("ts"),
            pl.col(target).alias("y"),
        )
        t = mae_by_horizon(EnergyForecaster(horizon=168), df)
        print(f"\n{target} MAE by horizon (h ahead)")
        print("| bucket | model | persistence | seasonal naive 24 h | n |")
        print("|---|---|---|---|---|")
        for r in t.iter_rows(named=True):
            print(
                f"| {r['bucket']} | {r['model']:.2f} | {r['persistence']:.2f} | "
                f"{r['seasonal_naive_24h']:.2f} | {r['n']} |"
            )


if __name__ == "__main__":
    main()
