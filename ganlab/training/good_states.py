"""Last good states: copies of a trainer taken while everything was finite, and how to go back to
one after a NaN without breaking what the user changed since.

While training is paused on a NaN the user may change settings before pressing "restore": the
learning rates (the restore itself divides them by 10), the objective, or an optimizer (Adam ↔
SGD ↔ RMSprop). A restore therefore brings back the networks, the random streams and the
counters, but each optimizer's state only if the trainer still uses the same kind of optimizer;
an optimizer of another kind starts afresh with the current settings (loading Adam's moments
into SGD fails at its first step with `KeyError: 'momentum'`). Hyper-parameters always follow
the current settings. A state whose networks no longer have the trainer's shapes is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from ganlab.core.optimizers import make_optimizer

ROLES = ("generator", "discriminator")


class StateMismatch(ValueError):
    """A good state that cannot be restored into the trainer as it is now."""


@dataclass(frozen=True)
class GoodState:
    state: dict  # Trainer.state_dict() when everything was finite
    optimizer_kinds: tuple[type, type]  # the generator's and the discriminator's optimizer class


def take_good_state(trainer) -> GoodState:
    """A deep copy of `trainer`'s state (worker thread: it reads the tensors)."""
    return GoodState(
        trainer.state_dict(),
        tuple(type(getattr(trainer, f"{role}_optimizer")) for role in ROLES),
    )


def _shapes(tensors: dict) -> dict:
    return {name: tuple(tensor.shape) for name, tensor in tensors.items()}


def restore_good_state(trainer, good: GoodState) -> tuple[str, ...]:
    """Load `good` into `trainer` under its current settings; return the roles whose optimizer
    started afresh (its kind changed since `good` was taken).

    Raises `StateMismatch`, leaving the trainer untouched, if a network's shapes differ."""
    for role in ROLES:
        if _shapes(good.state[role]) != _shapes(getattr(trainer, role).state_dict()):
            raise StateMismatch(f"the {role} changed shape since the last good state")
    state = dict(good.state)
    fresh = []
    for role, kind in zip(ROLES, good.optimizer_kinds, strict=True):
        name = f"{role}_optimizer"
        if type(getattr(trainer, name)) is not kind:
            optimizer = make_optimizer(trainer.optimized_parameters(role),
                                       getattr(trainer.config, name))
            setattr(trainer, name, optimizer)
            state[name] = optimizer.state_dict()
            fresh.append(role)
    trainer.load_state_dict(state)  # hyper-parameters are set from the config at the next step
    return tuple(fresh)
