"""One training run as the worker holds it: a trainer, the snapshotter that turns it into frames,
and its last good states (see `good_states.py`) — the two most recent, so that a restore goes
back to the older one, from before the trouble began. Worker thread only."""

from __future__ import annotations

import logging
from collections import deque

from ganlab.core.config import RunConfig
from ganlab.core.snapshot import Snapshotter
from ganlab.core.trainer import Trainer
from ganlab.core.vae_trainer import make_trainer
from ganlab.training.good_states import GoodState, restore_good_state, take_good_state

log = logging.getLogger(__name__)

GOOD_STATES_KEPT = 2


class Run:
    """One trainer with its snapshotter and its last good states."""

    def __init__(self, config: RunConfig, display_samples: int, trainer: Trainer | None = None):
        self.trainer = trainer if trainer is not None else make_trainer(config)
        self.snapshotter = Snapshotter(self.trainer, display_samples=display_samples)
        self.good_states: deque[GoodState] = deque(maxlen=GOOD_STATES_KEPT)

    def checkpoint(self) -> None:
        self.good_states.append(take_good_state(self.trainer))

    def restore(self) -> bool:
        """Back to the older good state (from before the trouble); False if there is none.
        Raises `StateMismatch` if it no longer fits the networks."""
        if not self.good_states:
            return False
        fresh = restore_good_state(self.trainer, self.good_states[0])
        if fresh:
            log.info("restored the last good state; new %s optimizer state (its kind changed)",
                     " and ".join(fresh))
        self.trainer.read_losses()  # drop the non-finite loss sums
        return True

    def restarted(self) -> None:
        """The run starts again (reset, rebuild, another session): its good states and its
        loss sums belong to the old one."""
        self.good_states.clear()
        self.trainer.read_losses()
