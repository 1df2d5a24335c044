"""An exponential moving average of the generator's weights (theory §6: a stabiliser that
changes no optimum; Yazıcı et al. 2019, Karras et al. 2018).

After the t-th generator update (t = 1, 2, …) every floating-point tensor of the generator's
state — weights and batch norm's running mean and variance alike — is averaged:

    β_t = min(β, (1 + t) / (10 + t))
    θ_avg ← β_t · θ_avg + (1 − β_t) · θ

with θ_avg = θ at the start. The warm-up β_t (as in TensorFlow's ExponentialMovingAverage with
`num_updates`) lets the average forget the random initialisation within a short run: with a
constant β = 0.999 the initial weights would still weigh e^(−3) ≈ 5% after 3,000 updates.
Batch norm's running statistics are averaged with the same β_t rather than copied, so that
they describe the same window of training as the averaged weights they normalise. Integer
buffers (batch norm's update counter) are copied.
"""

from __future__ import annotations

import copy

import torch
from torch import nn

WARMUP = 10  # β_t = min(β, (1 + t) / (WARMUP + t))


def warmup_decay(decay: float, updates: int) -> float:
    """β_t of the t-th update: min(β, (1 + t) / (10 + t))."""
    return min(decay, (1 + updates) / (WARMUP + updates))


class GeneratorAverage:
    """θ_avg of one generator: a frozen copy in evaluation mode, averaged by `update()` after
    each update of the generator (whose tensors are updated in place, as optimizers and
    `load_state_dict` do)."""

    def __init__(self, generator: nn.Module, decay: float):
        self.decay = decay
        self.updates = 0  # t: updates averaged in so far
        self._source = generator
        self.module = copy.deepcopy(generator).requires_grad_(False).eval()
        source, averaged = generator.state_dict(), self.module.state_dict()
        floating = [name for name, value in source.items() if value.is_floating_point()]
        self._sources = [source[name] for name in floating]
        self._averages = [averaged[name] for name in floating]
        self._copied = [(averaged[name], value) for name, value in source.items()
                        if not value.is_floating_point()]

    @torch.no_grad()
    def update(self) -> None:
        """θ_avg ← β_t θ_avg + (1 − β_t) θ, after one more update of the generator."""
        self.updates += 1
        beta = warmup_decay(self.decay, self.updates)
        torch._foreach_lerp_(self._averages, self._sources, 1.0 - beta)
        for target, value in self._copied:
            target.copy_(value)

    def state_dict(self) -> dict:
        """The averaged tensors (`module`'s state dict) and the update count t."""
        return {"module": copy.deepcopy(self.module.state_dict()), "updates": self.updates}

    def load_state_dict(self, state: dict | None) -> None:
        """Continue from a saved average, or (None: a state saved while averaging was off)
        restart it from the generator's present weights."""
        if state is None:
            self.module.load_state_dict(self._source.state_dict())
            self.updates = 0
        else:
            self.module.load_state_dict(state["module"])
            self.updates = int(state["updates"])


def averaging(average: GeneratorAverage | None, generator: nn.Module,
              decay: float) -> GeneratorAverage | None:
    """The average the setting β = `decay` asks for: None when 0, else `average` with its
    β changed, or a new one starting from `generator`'s weights if there was none."""
    if decay <= 0:
        return None
    if average is None:
        return GeneratorAverage(generator, decay)
    average.decay = decay
    return average
