"""Learning-rate schedules: the factor the base learning rate is multiplied by at iteration t
of a run of T iterations (`TrainingConfig.iterations`). No torch here.

    constant     f(t) = 1
    cosine       f(t) = φ + (1 − φ)·½(1 + cos(π t/T)),                φ = COSINE_FLOOR = 0.05
    cosine-tail  f(t) = 1 for t ≤ (1 − τ)T, then ½(1 + cos(π (t − (1 − τ)T)/(τT))),  τ = TAIL = ⅓

"cosine" anneals over the whole run to 5% of the base rate; "cosine-tail" trains at the full
rate for the first two-thirds and anneals to 0 over the last third (annealing stills the
oscillation that leaves samples between modes; the constant part keeps the full rate while
the modes are being found). t is clamped to [0, T]; with T = 0 (the app's open-ended runs)
every schedule is constant.
"""

from __future__ import annotations

import math

LR_SCHEDULES = ("constant", "cosine", "cosine-tail")
COSINE_FLOOR = 0.05  # "cosine" decays to this fraction of the base rate
TAIL = 1 / 3  # "cosine-tail" anneals over this last fraction of the run


def schedule_factor(schedule: str, iteration: int, total: int) -> float:
    """f(t) of `schedule` at iteration t of T (the table above); ValueError for an unknown one."""
    if schedule not in LR_SCHEDULES:
        raise ValueError(f"unknown learning-rate schedule {schedule!r}")
    if schedule == "constant" or total <= 0:
        return 1.0
    progress = min(max(iteration / total, 0.0), 1.0)
    if schedule == "cosine":
        return COSINE_FLOOR + (1 - COSINE_FLOOR) * 0.5 * (1 + math.cos(math.pi * progress))
    tail_progress = max(progress - (1 - TAIL), 0.0) / TAIL
    return 0.5 * (1 + math.cos(math.pi * tail_progress))
