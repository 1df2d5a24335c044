"""Trainer iterations per second against the best bare PyTorch loop of the same points GAN.

The engine is `Trainer` on grid25 (standardised), non-saturating, k = 1, Adam 1e-3
β = (0.5, 0.999), constant rate, no R1, at four network sizes. The bare loop is what a PyTorch
expert would write for the *same* networks, built by `nets.mlp` from the trainer's seed (so the
same initial weights, checked): the grid's centres standardised once and kept on the device, a
real batch as centres[randint] + σ·randn; fakes under `no_grad` for the D step; one D forward
over real and fake concatenated; BCE-with-logits as softplus; `zero_grad(set_to_none=True)`; a
fresh G forward for the G step with D's weights frozen (`requires_grad_(False)`), so no D weight
gradients are made. It runs with fused Adam and with foreach Adam, and in each round the faster
of the two is the reference, "the best bare loop" (the larger of two noisy values: if anything
this understates the engine's ratio).

The three contestants run in one process in interleaved rounds whose order rotates, each
`--seconds` long after a few warm-up steps; reported are median iterations per second and
engine / best bare as the median of the per-round ratios with its range (the goal of issue 15:
≥ 0.95 at every size), and the load average before and after (a busy machine lowers all three
and widens the range).

With `--clock cpu` a round lasts, and speeds count, the CPU time the thread ran instead of
wall time: on a machine other processes keep busy, time spent waiting for a core then stops
counting against whoever happened to be running (caches are still shared: it steadies the
numbers, it does not make the machine quiet).

    python benchmarks/speed.py [--seconds 2] [--rounds 5] [--threads 1] [--device cpu]
        [--clock wall|cpu] [--no-save | --out FILE]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import torch
import torch.nn.functional as F
from image_bench_common import machine_line, save_results

from ganlab.core.config import NetworkConfig, RunConfig
from ganlab.core.nets import mlp
from ganlab.core.trainer import Trainer

SIZES = {  # name: (hidden layers, width, batch)
    "3×128, batch 256": (3, 128, 256),
    "2×32, batch 128": (2, 32, 128),
    "2×16, batch 64": (2, 16, 64),
    "1×8, batch 64": (1, 8, 64),
}
CLOCKS = {"wall": time.perf_counter, "cpu": time.thread_time}  # cpu: time this thread ran
WARMUP_STEPS = 20  # per round, before the clock starts


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def engine(layers: int, width: int, batch: int, device: str, threads: int) -> Trainer:
    torch.set_num_threads(threads)
    net = {"hidden_layers": layers, "width": width}
    return Trainer(RunConfig().merged({
        "target": {"name": "grid25"},
        "model": {"generator": net, "discriminator": net},
        "objective": {"name": "non-saturating", "r1_gamma": 0.0},
        "training": {"batch_size": batch, "critic_steps": 1, "generator_steps": 1,
                     "lr_schedule": "constant", "device": device},
    }))


class BareLoop:
    """The best hand-written non-saturating GAN step on the trainer's networks: the reference."""

    def __init__(self, trainer: Trainer, fused: bool):
        config, device = trainer.config, trainer.device
        model = config.model
        torch.manual_seed(config.training.seed)  # the trainer's initial weights
        self.g = mlp(model.latent_dim, 2, NetworkConfig(
            model.generator.hidden_layers, model.generator.width, model.generator.activation))
        self.d = mlp(2, 1, NetworkConfig(model.discriminator.hidden_layers,
                                         model.discriminator.width,
                                         model.discriminator.activation))
        for mine, engines in ((self.g, trainer.generator), (self.d, trainer.discriminator)):
            for a, b in zip(mine.parameters(), engines.parameters(), strict=True):
                if not torch.equal(a, b.detach().cpu()):
                    raise RuntimeError("the bare loop's initial weights differ from the engine's")
        self.g.to(device)
        self.d.to(device)
        self.device, self.batch, self.latent_dim = device, config.training.batch_size, \
            model.latent_dim
        target = trainer.target  # grid25: centres and σ, standardised once
        self.centres = ((torch.tensor(target.centres, dtype=torch.float32, device=device)
                         - trainer.shift) / trainer.scale)
        self.sigma = (target.sigma / trainer.scale).to(device)
        adam = {"fused": True} if fused else {"foreach": True}
        g_opt, d_opt = config.generator_optimizer, config.discriminator_optimizer
        self.g_opt = torch.optim.Adam(self.g.parameters(), lr=g_opt.learning_rate,
                                      betas=(g_opt.beta1, g_opt.beta2), **adam)
        self.d_opt = torch.optim.Adam(self.d.parameters(), lr=d_opt.learning_rate,
                                      betas=(d_opt.beta1, d_opt.beta2), **adam)

    def step(self) -> None:
        n, device = self.batch, self.device
        # D: maximise log D(x) + log(1 − D(G(z))) = −softplus(−d(x)) − softplus(d(G(z)))
        index = torch.randint(len(self.centres), (n,), device=device)
        real = self.centres[index] + self.sigma * torch.randn(n, 2, device=device)
        with torch.no_grad():
            fake = self.g(torch.randn(n, self.latent_dim, device=device))
        logits = self.d(torch.cat([real, fake])).squeeze(-1)
        d_loss = F.softplus(-logits[:n]).mean() + F.softplus(logits[n:]).mean()
        self.d_opt.zero_grad(set_to_none=True)
        d_loss.backward()
        self.d_opt.step()
        # G: maximise log D(G(z)) (non-saturating), on fresh z, D's weights frozen
        fake = self.g(torch.randn(n, self.latent_dim, device=device))
        self.d.requires_grad_(False)
        g_loss = F.softplus(-self.d(fake).squeeze(-1)).mean()
        self.d.requires_grad_(True)
        self.g_opt.zero_grad(set_to_none=True)
        g_loss.backward()
        self.g_opt.step()


def iterations_per_second(step, device: torch.device, seconds: float,
                          clock=time.perf_counter) -> float:
    for _ in range(WARMUP_STEPS):
        step()
    _sync(device)
    count, start = 0, clock()
    while clock() - start < seconds:
        for _ in range(10):
            step()
        count += 10
    _sync(device)
    return count / (clock() - start)


def measure(size: str, threads: int, device: str, seconds: float, rounds: int,
            clock: str = "wall") -> dict:
    trainer = engine(*SIZES[size], device, threads)
    contestants = {"engine": trainer.step,
                   "bare fused": BareLoop(trainer, fused=True).step,
                   "bare foreach": BareLoop(trainer, fused=False).step}
    speeds: dict[str, list[float]] = {name: [] for name in contestants}
    names = list(contestants)
    load_before = os.getloadavg()[0]
    for round_ in range(rounds):  # the order rotates, so no contestant always goes first
        for name in names[round_ % 3:] + names[:round_ % 3]:
            speeds[name].append(iterations_per_second(contestants[name], trainer.device, seconds,
                                                      CLOCKS[clock]))
    best_bare = [max(f, e) for f, e in zip(speeds["bare fused"], speeds["bare foreach"],
                                           strict=True)]
    ratios = [e / b for e, b in zip(speeds["engine"], best_bare, strict=True)]
    return {"size": size, **{name: statistics.median(v) for name, v in speeds.items()},
            "ratio": statistics.median(ratios), "ratio_min": min(ratios),
            "ratio_max": max(ratios), "load": (load_before, os.getloadavg()[0])}


def table(rows: list[dict]) -> str:
    lines = ["| networks | engine it/s | bare, fused Adam it/s | bare, foreach Adam it/s | "
             "engine / best bare (min–max over rounds) | load average before → after |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['size']} | {r['engine']:.0f} | {r['bare fused']:.0f} | "
                     f"{r['bare foreach']:.0f} | {r['ratio']:.2f} ({r['ratio_min']:.2f}–"
                     f"{r['ratio_max']:.2f}) | {r['load'][0]:.1f} → {r['load'][1]:.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="length of one round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per contestant")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--clock", choices=list(CLOCKS), default="wall",
                        help="wall time, or the CPU time the thread ran (steadier on a machine "
                        "that other work keeps busy; one thread only)")
    parser.add_argument("--no-save", action="store_true", help="print only")
    parser.add_argument("--out", default=None,
                        help="results file (default benchmarks/results/speed_<date>.txt)")
    args = parser.parse_args()
    header = (f"# {machine_line(args.threads, args.device)}; grid25, non-saturating, k = 1; "
              f"{args.rounds} interleaved rotating rounds of {args.seconds:g} s ({args.clock} "
              "clock) per contestant, medians")
    print(header, flush=True)
    rows = []
    for size in args.sizes:
        rows.append(measure(size, args.threads, args.device, args.seconds, args.rounds,
                            args.clock))
        r = rows[-1]
        print(f"  {size}: engine {r['engine']:.0f} it/s, bare {r['bare fused']:.0f} (fused) / "
              f"{r['bare foreach']:.0f} (foreach), ratio {r['ratio']:.2f}", flush=True)
    text = f"{header}\n{table(rows)}"
    print(table(rows))
    if not args.no_save:
        print(f"# saved to {save_results('speed', text, args.out)}")


if __name__ == "__main__":
    main()
