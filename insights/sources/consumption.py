"""The project's canonical consumption layout (timestamp, region, channel, topic, views,
engagements, watch seconds; Spanish and Portuguese names through the alias map), CSV or
Parquet -> ``consumption``. Reader: :mod:`insights.ingest.consumption`."""

from __future__ import annotations

from insights.ingest import consumption
from insights.ingest.aliases import map_columns
from insights.sources.base import Probe, Source, StageInput, register
from insights.sources.tables import merge_consumption_table


def detect(p: Probe) -> bool:
    mapping, _ = map_columns(p.header)
    return {"timestamp", "region", "channel"} <= mapping.keys()


def stage(s: StageInput):
    fmt = "parquet" if s.info is None else s.source
    return consumption.stage_consumption(s.con, s.path, s.info, fmt, s.options)


register(
    Source(
        "consumption",
        "canonical consumption export (timestamp, region, channel, views, engagements)",
        "consumption",
        stage,
        merge_consumption_table,
        detect,
        order=900,
        parquet=True,
    )
)
