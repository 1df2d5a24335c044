"""Stabilisers of the discriminator that change no optimum (theory §6), beside R1 and R2 in
`penalties.py` and the generator's weight average in `ema.py`.

- Instance noise (Sønderby et al. 2017, Arjovsky & Bottou 2017): D sees x + σ_t·ε, ε ~ N(0, I),
  on real and generated inputs alike, in training coordinates, with σ annealed linearly to 0:
  σ_t = σ₀ · max(0, 1 − t/N) at iteration t.
- The LeCam regulariser (Tseng et al. 2021):
  R_LC = λ·(E‖d(x_r) − α_F‖² + E‖d(x_f) − α_R‖²), where α_R and α_F are exponential moving
  averages (decay `LECAM_DECAY`) of the mean of d on real and on generated batches.
- Spectral normalisation of D (Miyato et al. 2018): every linear or convolution weight W is
  used as W / σ(W), σ estimated by one power iteration per discriminator update
  (`torch.nn.utils.parametrizations.spectral_norm`). The power iteration runs only inside
  `power_iteration(...)` (the D update's loss forward), never when the app draws d, so what the
  app shows does not change training. Switching it on or off keeps the raw weights W (the
  optimizer's parameters are the same tensors); only what D computes from them changes.

torch is imported here: the window process never imports this module.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch
from torch import nn
from torch.nn.utils import parametrize
from torch.nn.utils.parametrizations import spectral_norm

LECAM_DECAY = 0.99  # the anchors' EMA decay (Tseng et al. 2021 use 0.99)
SPECTRAL_SEED = 0  # the first power-iteration vectors u, v: drawn from this seed, not the stream

_NORMALISED_LAYERS = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose1d,
                      nn.ConvTranspose2d, nn.ConvTranspose3d)


# ---------------------------------------------------------------------- instance noise
def instance_noise_sigma(sigma0: float, anneal_iterations: int, iteration: int) -> float:
    """σ_t = σ₀ · max(0, 1 − t/N)."""
    if sigma0 <= 0:
        return 0.0
    return sigma0 * max(0.0, 1.0 - iteration / max(anneal_iterations, 1))


def with_instance_noise(x: torch.Tensor, sigma: float, generator: torch.Generator
                        ) -> torch.Tensor:
    """x + σ·ε with ε ~ N(0, I) drawn from `generator` (x itself when σ = 0: nothing drawn)."""
    if sigma <= 0:
        return x
    return x + sigma * torch.randn(x.shape, generator=generator, device=x.device)


# ---------------------------------------------------------------------- LeCam
def lecam_penalty(d_real: torch.Tensor, d_fake: torch.Tensor, anchor_real: torch.Tensor,
                  anchor_fake: torch.Tensor, weight: float) -> torch.Tensor:
    """λ·(E‖d(x_r) − α_F‖² + E‖d(x_f) − α_R‖²): real outputs are pulled to the fakes' anchor
    and fake outputs to the reals' anchor."""
    return weight * ((d_real - anchor_fake).pow(2).mean() + (d_fake - anchor_real).pow(2).mean())


class LeCamAnchors:
    """α_R, α_F: moving averages of the mean of d on real and on generated batches.

    `update(d_real, d_fake)` sets α ← β·α + (1 − β)·mean(d), β = LECAM_DECAY; the first update
    sets α to the batch means (no bias toward 0)."""

    def __init__(self):
        self.values: torch.Tensor | None = None  # (α_R, α_F)

    @torch.no_grad()
    def update(self, d_real: torch.Tensor, d_fake: torch.Tensor) -> torch.Tensor:
        means = torch.stack([d_real.mean(), d_fake.mean()]).detach()
        if self.values is None:
            self.values = means.clone()
        else:
            self.values.lerp_(means, 1.0 - LECAM_DECAY)
        return self.values

    def state_dict(self) -> dict:
        return {"values": None if self.values is None else self.values.clone()}

    def load_state_dict(self, state: dict | None, device: torch.device | None = None) -> None:
        """Continue from `state` (None or no values: start afresh), on `device` if given."""
        values = None if state is None else state.get("values")
        self.values = None if values is None else values.to(device, copy=True)


# ---------------------------------------------------------------------- spectral norm
def _normalised_layers(network: nn.Module) -> list[nn.Module]:
    return [m for m in network.modules() if isinstance(m, _NORMALISED_LAYERS)]


def has_spectral_norm(network: nn.Module) -> bool:
    return any(parametrize.is_parametrized(m, "weight") for m in _normalised_layers(network))


def set_spectral_norm(network: nn.Module, on: bool) -> None:
    """Normalise every linear and convolution weight of `network` by its largest singular
    value (on) or not (off), keeping the raw weights W: the same parameter tensors, so an
    optimizer holding them goes on. The power-iteration start is seeded (`SPECTRAL_SEED`) and
    its modules stay in evaluation mode outside `power_iteration`."""
    if on == has_spectral_norm(network):
        return
    for layer in _normalised_layers(network):
        if on:
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(SPECTRAL_SEED)
                spectral_norm(layer)
            layer.parametrizations.weight[0].eval()
        else:
            parametrize.remove_parametrizations(layer, "weight", leave_parametrized=False)


def _spectral_modules(network: nn.Module) -> list[nn.Module]:
    return [m.parametrizations.weight[0] for m in _normalised_layers(network)
            if parametrize.is_parametrized(m, "weight")]


@contextlib.contextmanager
def power_iteration(network: nn.Module) -> Iterator[None]:
    """Inside: each forward of `network` does one power iteration per normalised weight
    (updating its u, v) before dividing W by σ(W) = uᵀWv. Outside, σ uses the stored u, v."""
    modules = _spectral_modules(network)
    for module in modules:
        module.train()
    try:
        yield
    finally:
        for module in modules:
            module.eval()


def spectral_state_form(state: dict) -> bool:
    """Whether a discriminator state dict was saved with spectral normalisation on."""
    return any(".parametrizations.weight." in key or key.startswith("parametrizations.")
               for key in state)
