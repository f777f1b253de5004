"""The studio's own logs -> ``studio_energy``: GPU power logs written by ``nvidia-smi
--query-gpu=... --format=csv`` and CodeCarbon's ``emissions.csv``. Readers:
:mod:`insights.studio.readers` (wrapped as they are).

A log written with ``--format=csv,noheader`` has no header: its first line reads like a
timestamp, a GPU name and watts; it is told so instead of being asked for consumption
columns.
"""

from __future__ import annotations

import re

from insights.sources.base import Probe, Source, register
from insights.sources.tables import frame_stager, studio_merge

# nvidia-smi's timestamp (2024/03/01 10:00:00.000) and a power reading (45.20 W)
_NVSMI_TS = re.compile(r"^\s*\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?\s*$")
_WATTS = re.compile(r"^\s*\d+(\.\d+)?\s*W\s*$")


def _studio():
    from insights.studio import readers

    return readers


def _headerless_nvidia(p: Probe) -> str | None:
    cells = p.header
    if cells and (_NVSMI_TS.match(cells[0]) or any(_WATTS.match(c) for c in cells)):
        return (
            "looks like an nvidia-smi log without its header line (written with "
            "--format=csv,noheader); log again with --format=csv so the first line names "
            "the columns (timestamp, name, power.draw [W] ...), or add that line"
        )
    return None


register(
    Source(
        "nvidia_smi",
        "nvidia-smi GPU power log (--format=csv)",
        "studio_energy",
        frame_stager("studio_energy", lambda s: _studio().read_nvidia_smi(s.path, s.info)),
        studio_merge,
        lambda p: _studio().is_nvidia_smi(p.header),
        _headerless_nvidia,
        order=300,
    ),
    Source(
        "codecarbon",
        "CodeCarbon emissions.csv",
        "studio_energy",
        frame_stager("studio_energy", lambda s: _studio().read_codecarbon(s.path, s.info)),
        studio_merge,
        lambda p: _studio().is_codecarbon(p.header),
        order=310,
    ),
)
