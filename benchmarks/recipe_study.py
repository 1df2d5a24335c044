"""The study that chose the default points recipe: seeds × learning-rate pairs of one network
shape on one target, trained as one batched model (`BatchedTrainer`: the same numbers per run
as separate `Trainer`s, to float tolerance, at 2–10× the throughput on one core), each run then
scored as `ganlab train` scores it: 2,500 generated samples, the PacGAN protocol (modes, %
high quality within 3σ, reverse KL of the mode histogram).

    python benchmarks/recipe_study.py --target grid25 --iterations 9000 \\
        --lrs 1e-3:1e-3,1e-3:2e-3,1e-3:3e-3 --seeds 2
    python benchmarks/recipe_study.py --target grid25 --layers 3 --width 64 --iterations 10000 \\
        --lrs 1e-3:1e-3,1e-3:2e-3 --generator-ema 0.999 --seeds 2

Every setting not named starts from the shipped recipe (`RunConfig()`). The same grid as
ordinary runs, one per process: `ganlab study benchmarks/recipe_study.toml --out studies/recipe`.
One torch thread; CPU seconds per run-iteration are printed (load-robust, unlike wall time).
"""

from __future__ import annotations

import argparse
import statistics
import time


def configs_for(args) -> list:
    from ganlab.core.config import RunConfig

    configs = []
    for pair in args.lrs.split(","):
        g_lr, d_lr = (float(x) for x in pair.split(":"))
        for seed in range(args.seeds):
            config = RunConfig()
            config.target.name = args.target
            config.training.seed = seed
            config.training.iterations = args.iterations
            config.generator_optimizer.learning_rate = g_lr
            config.discriminator_optimizer.learning_rate = d_lr
            for name in ("batch_size", "generator_ema"):
                if getattr(args, name) is not None:
                    setattr(config.training, name, getattr(args, name))
            if args.r1 is not None:
                config.objective.r1_gamma = args.r1
            for network in (config.model.generator, config.model.discriminator):
                network.hidden_layers = args.layers or network.hidden_layers
                network.width = args.width or network.width
            configs.append(config.validate())
    return configs


def main() -> None:
    import torch

    from ganlab.core.batched_trainer import BatchedTrainer
    from ganlab.core.headless import evaluate_draw

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="grid25")
    parser.add_argument("--iterations", type=int, required=True)
    parser.add_argument("--lrs", default="1e-3:2e-3", help="G:D learning-rate pairs, commas")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--layers", type=int)
    parser.add_argument("--width", type=int)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--generator-ema", type=float)
    parser.add_argument("--r1", type=float)
    args = parser.parse_args()
    torch.set_num_threads(1)
    configs = configs_for(args)
    trainer = BatchedTrainer(configs)
    started = time.process_time()
    trainer.train(args.iterations)
    cpu = (time.process_time() - started) / (args.iterations * len(configs))
    shape = configs[0].model.generator
    print(f"# {args.target}, {shape.hidden_layers}×{shape.width}, batch "
          f"{configs[0].training.batch_size}, {args.iterations} iterations, "
          f"G EMA {configs[0].training.generator_ema}, R1 {configs[0].objective.r1_gamma}: "
          f"{len(configs)} runs, {1e3 * cpu:.2f} ms CPU per run-iteration")
    print("| G lr | D lr | seed | modes | high quality % | reverse KL |\n|---|---|---|---|---|---|")
    scores: dict[tuple, list[float]] = {}
    for index, config in enumerate(configs):
        final, _ = evaluate_draw(trainer.trainer(index), 2500)
        rates = (config.generator_optimizer.learning_rate,
                 config.discriminator_optimizer.learning_rate)
        scores.setdefault(rates, []).append(100 * final["high_quality_fraction"])
        print(f"| {rates[0]:g} | {rates[1]:g} | {config.training.seed} | "
              f"{final['modes_covered']}/{final['total_modes']} | "
              f"{100 * final['high_quality_fraction']:.1f} | {final['reverse_kl']:.4f} |",
              flush=True)
    for (g_lr, d_lr), values in scores.items():
        print(f"# G {g_lr:g}, D {d_lr:g}: mean high quality {statistics.fmean(values):.1f}%")


if __name__ == "__main__":
    main()
