"""Grid data: Electricity Maps hourly CSV and ONS Brazil load -> ``energy``; CENACE's
generation by technology -> ``cenace_generation`` (and the national ``energy`` rows it
derives). Readers: :mod:`insights.ingest.energy`, :mod:`insights.ingest.cenace` (wrapped
as they are)."""

from __future__ import annotations

from insights.ingest import cenace, energy
from insights.sources.base import Source, StageInput, register
from insights.sources.tables import frame_stager, merge_energy


def _stage_cenace(s: StageInput):
    return cenace.stage_generation(s.con, s.path), None


def _merge_cenace(con, sha, counts):
    return cenace.merge_generation(con, sha), None


register(
    Source(
        cenace.KIND,
        "CENACE generation by technology (monthly report)",
        cenace.KIND,
        _stage_cenace,
        _merge_cenace,
        lambda p: cenace.is_generation_report(p.info.lines),
        order=10,
    ),
    Source(
        "electricitymaps",
        "Electricity Maps hourly carbon intensity",
        "energy",
        frame_stager("energy", lambda s: energy.read_electricitymaps(s.path, s.info, s.options)),
        merge_energy,
        lambda p: bool(energy.electricitymaps_columns(p.header)),
        order=200,
    ),
    Source(
        "ons_load",
        "ONS Brazil hourly load",
        "energy",
        frame_stager("energy", lambda s: energy.read_ons_load(s.path, s.info, s.options)),
        merge_energy,
        lambda p: energy.is_ons_load(p.header),
        order=400,
    ),
)
