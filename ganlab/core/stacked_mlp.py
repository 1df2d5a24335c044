"""R multilayer perceptrons of one shape evaluated as one: stacked parameters, batched matmuls.

Layer l of run r is x ↦ x W_l[r] + b_l[r] with W_l (R, in, out) — nn.Linear's weight transposed
— and b_l (R, 1, out), so a forward over all runs is one `baddbmm` per layer:
(R, n, in) @ (R, in, out) + (R, 1, out) → (R, n, out).

Every parameter is a contiguous block of one flat buffer `flat` (N,), and its gradient a block
of `grad` (N,) that autograd accumulates into in place: optimizer moments, clipping and weight
averages are then single operations on (N,) tensors, whatever the depth, and the forward needs
no slicing. `run_index` (N,) says which run owns each element.

`StackedAdam` is Adam (Kingma & Ba 2015, torch's defaults: ε = 1e-8, no weight decay) over such
a buffer with a learning rate per run: Adam is elementwise, so one Adam over the stacked runs is
exactly R Adams, and a rate per element (its run's) gives each run its own step size.
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
    """R MLPs of one shape; `parameters` [W_0, b_0, W_1, …] are leaves viewing `flat`."""

    def __init__(self, networks: list[nn.Module], activation: str, device: torch.device):
        layers = [linear_layers(network) for network in networks]
        self.shapes = [(layer.in_features, layer.out_features) for layer in layers[0]]
        if any([(m.in_features, m.out_features) for m in run] != self.shapes for run in layers):
            raise ValueError("stacked networks must all have the same shape")
        self.runs = len(networks)
        self.activation = ACTIVATION_LAYERS[activation]()
        blocks = []  # parameter-major: all runs' W_0, then all runs' b_0, ...
        for index in range(len(self.shapes)):
            blocks.append(torch.stack([run[index].weight.detach().t() for run in layers]))
            blocks.append(torch.stack([run[index].bias.detach()[None] for run in layers]))
        self.flat = torch.cat([b.reshape(-1) for b in blocks]).to(device)  # (N,)
        self.grad = torch.zeros_like(self.flat)
        self.run_index = torch.cat([torch.arange(self.runs, device=device).repeat_interleave(
            b[0].numel()) for b in blocks])  # (N,): the run each element belongs to
        self.parameters = [p.detach().requires_grad_(True) for p in self.blocks(self.flat)]
        for parameter, grad in zip(self.parameters, self.blocks(self.grad), strict=True):
            parameter.grad = grad  # autograd adds into it in place: `grad` sees every gradient

    def blocks(self, buffer: torch.Tensor) -> list[torch.Tensor]:
        """Views of a flat (N,) buffer as [W_0 (R, in, out), b_0 (R, 1, out), W_1, …]."""
        out, start = [], 0
        for fan_in, fan_out in self.shapes:
            for shape in ((self.runs, fan_in, fan_out), (self.runs, 1, fan_out)):
                size = math.prod(shape)
                out.append(buffer[start:start + size].view(shape))
                start += size
        return out

    def __call__(self, x: torch.Tensor, runs: torch.Tensor | None = None) -> torch.Tensor:
        """x (R, n, in) → (R, n, out); with `runs` (P,), the networks of those runs only:
        x (P, n, in) → (P, n, out) (gradients reach those runs' parameters only)."""
        last = len(self.shapes) - 1
        parameters = self.parameters if runs is None else [
            parameter.index_select(0, runs) for parameter in self.parameters]
        for index in range(len(self.shapes)):
            x = torch.baddbmm(parameters[2 * index + 1], x, parameters[2 * index])
            if index < last:
                x = self.activation(x)
        return x

    def requires_grad_(self, requires_grad: bool) -> None:
        for parameter in self.parameters:
            parameter.requires_grad_(requires_grad)

    def weights(self) -> list[torch.Tensor]:
        """The weight matrices (no biases) of every run: [(R, in, out)]."""
        return self.parameters[0::2]

    def clear_grad(self) -> None:
        self.grad.zero_()

    @torch.no_grad()
    def copy_into(self, run: int, network: nn.Module, buffer: torch.Tensor | None = None
                  ) -> None:
        """Write run `run`'s parameters (or its part of another buffer of this layout, such as
        a weight average) into an ordinary network of the same shape."""
        blocks = self.blocks(self.flat if buffer is None else buffer)
        for index, layer in enumerate(linear_layers(network)):
            layer.weight.copy_(blocks[2 * index][run].t())
            layer.bias.copy_(blocks[2 * index + 1][run, 0])

    def per_parameter(self, run: int, buffer: torch.Tensor) -> list[torch.Tensor]:
        """Run `run`'s part of a buffer of this layout as tensors shaped like the ordinary
        network's parameters (weight (out, in), bias (out,)), in `parameters()` order."""
        blocks = self.blocks(buffer)
        return [(blocks[i][run].t() if i % 2 == 0 else blocks[i][run, 0]).clone(
            memory_format=torch.contiguous_format) for i in range(len(blocks))]  # never views


class StackedAdam:
    """Adam over one flat buffer with a learning rate per run.

    m ← β1 m + (1 − β1) g,  v ← β2 v + (1 − β2) g²,
    θ ← θ − lr_r / (1 − β1^t) · m / (√v / √(1 − β2^t) + ε)
    """

    def __init__(self, network: StackedMLP, betas: tuple[float, float], eps: float = 1e-8):
        self.network = network
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.steps = 0
        self.exp_avg = torch.zeros_like(network.flat)
        self.exp_avg_sq = torch.zeros_like(network.flat)

    @torch.no_grad()
    def step(self, learning_rates: torch.Tensor) -> None:
        """One update from the network's gradient; `learning_rates` has one rate per run (R,).
        Clears the gradient."""
        flat, grad = self.network.flat, self.network.grad
        self.steps += 1
        self.exp_avg.lerp_(grad, 1 - self.beta1)
        self.exp_avg_sq.mul_(self.beta2).addcmul_(grad, grad, value=1 - self.beta2)
        correction2 = math.sqrt(1 - self.beta2 ** self.steps)
        denominator = (self.exp_avg_sq.sqrt() / correction2).add_(self.eps)
        step_size = learning_rates[self.network.run_index] / (1 - self.beta1 ** self.steps)
        flat.sub_(self.exp_avg / denominator * step_size)
        grad.zero_()
