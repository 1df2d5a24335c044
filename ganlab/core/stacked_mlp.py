"""R multilayer perceptrons of one shape evaluated as one: stacked parameters, batched matmuls.

Run r's parameters are row r of one flat tensor `flat` of shape (R, P). Layer l of run r is
x ↦ x W_l + b_l with W_l (in, out) — nn.Linear's weight transposed — and b_l (1, out), both
views into the row, so a forward over all runs is one `baddbmm` per layer:
(R, n, in) @ (R, in, out) + (R, 1, out) → (R, n, out). Gradients, optimizer moments, clipping
and weight averages are then single operations on (R, P) tensors, whatever the depth.

`StackedAdam` is Adam (Kingma & Ba 2015, torch's defaults: ε = 1e-8, no weight decay) over
such a tensor with a learning rate per run: Adam is elementwise, so one Adam over the stacked
rows is exactly R Adams, and a rate of shape (R, 1) gives each run its own step size.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ganlab.core.activations import ACTIVATION_LAYERS


def linear_layers(network: nn.Module) -> list[nn.Linear]:
    """The Linear layers of an MLP (`nets.mlp`, or a `Discriminator` around one), in order."""
    return [m for m in network.modules() if isinstance(m, nn.Linear)]


class StackedMLP:
    """R MLPs of one shape as one (R, P) parameter tensor `flat` (a leaf that needs grad)."""

    def __init__(self, networks: list[nn.Module], activation: str, device: torch.device):
        layers = [linear_layers(network) for network in networks]
        self.shapes = [(layer.in_features, layer.out_features) for layer in layers[0]]
        if any([(m.in_features, m.out_features) for m in run] != self.shapes for run in layers):
            raise ValueError("stacked networks must all have the same shape")
        self.activation = ACTIVATION_LAYERS[activation]()
        rows = [torch.cat([t for m in run for t in (m.weight.detach().t().reshape(-1),
                                                     m.bias.detach())]) for run in layers]
        self.flat = torch.stack(rows).to(device).requires_grad_(True)  # (R, P)
        self.runs = len(networks)

    def layers(self, flat: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """[(W (R, in, out), b (R, 1, out))] as views into `flat`."""
        out, start, runs = [], 0, flat.shape[0]
        for fan_in, fan_out in self.shapes:
            weight = flat[:, start:start + fan_in * fan_out].view(runs, fan_in, fan_out)
            start += fan_in * fan_out
            bias = flat[:, start:start + fan_out].view(runs, 1, fan_out)
            start += fan_out
            out.append((weight, bias))
        return out

    def __call__(self, x: torch.Tensor, flat: torch.Tensor | None = None) -> torch.Tensor:
        """x (R, n, in) → (R, n, out) with the parameters `flat` (default: the trained ones)."""
        layers = self.layers(self.flat if flat is None else flat)
        for index, (weight, bias) in enumerate(layers):
            x = torch.baddbmm(bias, x, weight)
            if index < len(layers) - 1:
                x = self.activation(x)
        return x

    def weights(self, flat: torch.Tensor) -> list[torch.Tensor]:
        """The weight matrices (no biases) of every run: [(R, in, out)]."""
        return [weight for weight, _ in self.layers(flat)]

    @torch.no_grad()
    def copy_into(self, run: int, network: nn.Module, flat: torch.Tensor | None = None) -> None:
        """Write run `run`'s parameters into an ordinary network of the same shape."""
        for (weight, bias), layer in zip(self.layers(self.flat if flat is None else flat),
                                         linear_layers(network), strict=True):
            layer.weight.copy_(weight[run].t())
            layer.bias.copy_(bias[run, 0])


class StackedAdam:
    """Adam over one (R, P) tensor with a learning rate per run.

    m ← β1 m + (1 − β1) g,  v ← β2 v + (1 − β2) g²,
    θ ← θ − lr_r / (1 − β1^t) · m / (√v / √(1 − β2^t) + ε)
    """

    def __init__(self, parameter: torch.Tensor, betas: tuple[float, float], eps: float = 1e-8):
        self.parameter = parameter
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.steps = 0
        self.exp_avg = torch.zeros_like(parameter, requires_grad=False)
        self.exp_avg_sq = torch.zeros_like(parameter, requires_grad=False)

    @torch.no_grad()
    def step(self, learning_rates: torch.Tensor) -> None:
        """One update from `parameter.grad`; `learning_rates` has shape (R, 1)."""
        grad = self.parameter.grad
        self.steps += 1
        self.exp_avg.lerp_(grad, 1 - self.beta1)
        self.exp_avg_sq.mul_(self.beta2).addcmul_(grad, grad, value=1 - self.beta2)
        correction2 = math.sqrt(1 - self.beta2 ** self.steps)
        denominator = (self.exp_avg_sq.sqrt() / correction2).add_(self.eps)
        step_size = learning_rates / (1 - self.beta1 ** self.steps)  # (R, 1)
        self.parameter.sub_(self.exp_avg / denominator * step_size)
        self.parameter.grad = None

    def run_state(self, run: int) -> tuple[int, torch.Tensor, torch.Tensor]:
        """(t, m, v) of one run: rows of the moments (copies)."""
        return self.steps, self.exp_avg[run].clone(), self.exp_avg_sq[run].clone()
