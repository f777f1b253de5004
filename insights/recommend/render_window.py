"""When to run a render or training job so that it emits the least.

For a job of ``hours`` hours drawing ``kw`` kW that must finish by a deadline,
every feasible start is scored by the mean forecast carbon intensity over the
job's hours (a rolling window); emissions = kW x hours x mean gCO2/kWh / 1000.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RenderPlan:
    start_index: int
    kgco2: float
    kgco2_now: float

    @property
    def saving_pct(self) -> float:
        return 100 * (self.kgco2_now - self.kgco2) / self.kgco2_now if self.kgco2_now else 0.0


def best_start(ci: np.ndarray, hours: int, kw: float, last_start: int) -> RenderPlan:
    """``ci``: hourly gCO2/kWh from now on; starts 0..``last_start`` allowed (inclusive).

    >>> best_start(np.array([300.0, 100, 100, 400]), hours=2, kw=10, last_start=2)
    RenderPlan(start_index=1, kgco2=2.0, kgco2_now=4.0)
    """
    if hours < 1 or last_start < 0 or last_start + hours > len(ci):
        raise ValueError("the job does not fit between now and the deadline")
    csum = np.concatenate([[0.0], np.cumsum(ci)])
    means = (csum[hours : last_start + hours + 1] - csum[: last_start + 1]) / hours
    i = int(np.argmin(means))  # the earliest of equally good starts
    kg = lambda m: float(kw * hours * m / 1000)  # noqa: E731
    return RenderPlan(i, kg(means[i]), kg(means[0]))
