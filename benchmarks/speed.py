"""Trainer iterations per second against a bare PyTorch loop of the same GAN.

Both train the same networks (MLP generator with ReLU, MLP discriminator with LeakyReLU 0.2),
the same batch, the non-saturating objective, k = 1, Adam(β = 0.5, 0.999), on grid25 with
standardised data. The bare loop is what one would write by hand: sample, two D forwards,
BCE-with-logits via softplus, step; then a fresh G forward, D forward, step.
Runs are interleaved (bare, engine, bare, engine, ...) and the median is reported.

    python benchmarks/speed.py [--seconds 3] [--repeats 3] [--threads 1] [--device cpu]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import torch
import torch.nn.functional as F

from ganlab.core.config import NetworkConfig, RunConfig
from ganlab.core.nets import mlp
from ganlab.core.targets import TARGETS
from ganlab.core.trainer import Trainer

SIZES = {  # name: (hidden layers, width, batch)
    "3×128, batch 256": (3, 128, 256),
    "2×32, batch 128": (2, 32, 128),
    "2×16, batch 64": (2, 16, 64),
    "1×8, batch 64": (1, 8, 64),
}


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


class BareLoop:
    """A hand-written GAN loop: the reference the engine is measured against."""

    def __init__(self, layers, width, batch, device):
        torch.manual_seed(0)
        self.device, self.batch = device, batch
        self.g = mlp(2, 2, NetworkConfig(layers, width, "relu")).to(device)
        self.d = mlp(2, 1, NetworkConfig(layers, width, "leaky_relu")).to(device)
        self.g_opt = torch.optim.Adam(self.g.parameters(), lr=1e-3, betas=(0.5, 0.999))
        self.d_opt = torch.optim.Adam(self.d.parameters(), lr=1e-3, betas=(0.5, 0.999))
        target = TARGETS["grid25"]()
        self.centres = torch.tensor(target.centres, dtype=torch.float32, device=device)
        self.sigma = target.sigma
        mean, std = target.moments()
        self.mean = torch.tensor(mean, dtype=torch.float32, device=device)
        self.std = torch.tensor(std, dtype=torch.float32, device=device)

    def real(self):
        index = torch.randint(len(self.centres), (self.batch,), device=self.device)
        x = self.centres[index] + self.sigma * torch.randn(self.batch, 2, device=self.device)
        return (x - self.mean) / self.std

    def step(self):
        real = self.real()
        fake = self.g(torch.randn(self.batch, 2, device=self.device)).detach()
        d_loss = F.softplus(-self.d(real)).mean() + F.softplus(self.d(fake)).mean()
        self.d_opt.zero_grad()
        d_loss.backward()
        self.d_opt.step()
        fake = self.g(torch.randn(self.batch, 2, device=self.device))
        g_loss = F.softplus(-self.d(fake)).mean()
        self.g_opt.zero_grad()
        g_loss.backward()
        self.g_opt.step()


def engine(layers, width, batch, device) -> Trainer:
    config = RunConfig()
    for net in (config.model.generator, config.model.discriminator):
        net.hidden_layers, net.width = layers, width
    config.training.batch_size = batch
    config.training.lr_schedule = "constant"
    config.training.device = str(device)
    config.objective.r1_gamma = 0.0  # the bare loop has no R1 penalty
    return Trainer(config)


def iterations_per_second(step, device, seconds: float) -> float:
    for _ in range(20):  # warm up
        step()
    _sync(device)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(10):
            step()
        count += 10
    _sync(device)
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    print(f"# {platform.processor() or platform.machine()}, torch {torch.__version__}, "
          f"{args.threads} thread(s), device {device}, {args.seconds:.0f} s × {args.repeats}")
    print("| networks | bare loop it/s | engine it/s | engine / bare |")
    print("|---|---|---|---|")
    for name, (layers, width, batch) in SIZES.items():
        bare, ours = [], []
        bare_loop = BareLoop(layers, width, batch, device)
        trainer = engine(layers, width, batch, device)
        for _ in range(args.repeats):
            bare.append(iterations_per_second(bare_loop.step, device, args.seconds))
            ours.append(iterations_per_second(trainer.step, device, args.seconds))
        b, o = statistics.median(bare), statistics.median(ours)
        print(f"| {name} | {b:.0f} | {o:.0f} | {o / b:.2f} |")


if __name__ == "__main__":
    main()
