"""Quality of the shipped image recipe on the embedded digits, after a wall-clock budget.

Each seed trains `ganlab train --target digits [--conditional]`'s configuration (the digits
recipe of `core/recipes.py`, at its resolution unless `--resolution` says otherwise) with
`Trainer` on `--threads` CPU threads (default 2) until the recipe's iterations are done or
`--seconds` (default 180) have passed, whichever comes first. Then 1,000 images are generated
(evaluation noise, batch norm in eval mode; from the averaged generator θ_avg when the recipe
averages, or the raw G with `--raw`) and scored by the dataset's own classifier
(`image_classifier.classifier_for`: the cached one `ganlab train` uses, trained on all 1,797
digits; held-out accuracy printed):

- classes covered (goal 10/10) and KL(generated class histogram ‖ uniform) in nats (goal
  ≤ 0.05), both on the classifier's argmax labels of all 1,000 images;
- Fréchet distance in the classifier's feature space, against the real-vs-held-out-real value
  (goal ≤ 3×), class KL to the real histogram, coverage (goal ≥ 0.8) and density, from
  `image_evaluation.evaluate_images(generated, reference, extractor, real_heldout=heldout)`.
  The reference R and held-out set P are a stratified 50/50 split of the digits (899 and 898
  images), so FD(P, R) is the distance a perfect sampler of digits gets at these sizes; the
  generated set is cut to P's size (898 of the 1,000) for these numbers. FD(P, R) depends on
  the split (2.0 to 4.3 over ten splits, measured), so each value is the mean over the same
  five splits (seeds 0-4) and the ratio is mean FD(G, R) / mean FD(P, R). "Held out" means
  disjoint from R: by default the GAN trains on all digits, as the shipped recipe does, so it
  has seen P too (and so has the classifier). `--gan-on-reference` trains the GAN on R of
  split 0 alone and evaluates on that split only, making P unseen by the generator.
- `--conditional`: the generated set is G(z, y) with labels y in exactly the held-out set's
  class counts (`matched_labels`), so that the ratio compares like with like; the ratio with
  labels drawn i.i.d. from the data's frequencies (as `Trainer.sample` does) is printed beside
  it. Also, for each class c, 100 images G(z, c) from fixed z; the share the classifier
  labels c (goal ≥ 90% for every class).

Runs are sequential, each on `--threads` threads, unless `--jobs N` runs N seeds at a time (in
separate processes: for quality on a shared machine, where a budget in iterations rather than
seconds is then the honest one, e.g. `--seconds 1e9`). On a machine whose cores are busy, two
threads can drop to a few iterations per second (seen: 1 it/s against 14 on one thread), which
a wall-clock budget turns into a failed run; the header prints the iterations each run reached.

    python benchmarks/image_quality.py [--seeds 3] [--first-seed 1] [--seconds 180]
        [--threads 2] [--jobs 1] [--conditional] [--resolution R] [--raw] [--gan-on-reference]
        [--no-save | --out FILE] [--set JSON] [--iterations N]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import torch
from image_bench_common import image_recipe_config, machine_line, save_results

from ganlab.core.image_classifier import classifier_for, stratified_split
from ganlab.core.image_evaluation import evaluate_images
from ganlab.core.image_scores import class_histogram, classes_covered, kl_to_reference
from ganlab.core.targets.image_targets import ImageTarget, image_target
from ganlab.core.trainer import Trainer

GENERATED = 1000  # images scored per run
PER_CLASS = 100  # images per class for the conditional check
SPLITS = 5  # reference / held-out splits of the digits (seeds 0 … SPLITS − 1), averaged
GOALS = {"classes": 10, "kl_uniform": 0.05, "fd_ratio": 3.0, "coverage": 0.8, "own_class": 0.9}


def train_within_budget(trainer: Trainer, seconds: float) -> tuple[int, float]:
    """Steps until the recipe's iterations or `seconds` of wall clock; (iterations, seconds)."""
    total = trainer.config.training.iterations
    started = time.perf_counter()
    while trainer.iteration < total and time.perf_counter() - started < seconds:
        trainer.step()
    return trainer.iteration, time.perf_counter() - started


def own_class_rates(trainer: Trainer, extractor, classes: int, seed: int,
                    averaged: bool = True) -> list[float]:
    """For each class c: the share of PER_CLASS images G(z, c) the classifier labels c."""
    z = torch.randn(PER_CLASS, trainer.config.model.latent_dim,
                    generator=torch.Generator().manual_seed(seed))
    rates = []
    for c in range(classes):
        images = trainer.sample(PER_CLASS, latent=z, labels=torch.full((PER_CLASS,), c),
                                averaged=averaged)
        rates.append(float(np.mean(extractor.predict(images.astype(np.float32)) == c)))
    return rates


def _evaluation_set(args):
    """(data, reference / held-out splits, classifier) at the run's resolution."""
    data = image_target("digits", _resolution(args)).data
    splits = [stratified_split(data.labels, 0.5, split)
              for split in range(1 if args.gan_on_reference else SPLITS)]
    extractor = classifier_for(data.images, data.labels, len(data.class_names),
                               key=data.content_hash())
    torch.set_num_threads(args.threads)  # in case training the classifier changed it
    return data, splits, extractor


def _resolution(args) -> int:
    return run_config(args).target.resolution


def run_config(args, seed: int = 0):
    """The recipe's configuration for this run, with `--set`'s settings laid over it and
    `--iterations` in place of the recipe's count (screening other recipes)."""
    config = image_recipe_config(args.resolution, seed=seed, conditional=args.conditional)
    overrides = json.loads(args.set) if args.set else {}
    if args.iterations is not None:
        overrides.setdefault("training", {})["iterations"] = args.iterations
    return config.merged(overrides).validate() if overrides else config


def run_seed(seed: int, args) -> dict:
    """One seed in a process of its own (`--jobs`)."""
    torch.set_num_threads(args.threads)
    return run_one(seed, args, *_evaluation_set(args))


def run_one(seed: int, args, data, splits, extractor) -> dict:
    config = run_config(args, seed)
    target = None
    if args.gan_on_reference:
        reference = splits[0][0]
        images, labels = data.images[reference], data.labels[reference]
        target = ImageTarget(dataclasses.replace(data, images=images, labels=labels),
                             name="digits")
    trainer = Trainer(config, target=target)
    cpu_started = time.process_time()
    iterations, seconds = train_within_budget(trainer, args.seconds)
    row = {"seed": seed, "iterations": iterations, "seconds": seconds,
           "cpu_seconds": time.process_time() - cpu_started,
           "finite": trainer.state_is_finite()}
    averaged = not args.raw
    generated = trainer.sample(GENERATED, averaged=averaged).astype(np.float32)
    if not row["finite"] or not np.isfinite(generated).all():
        return row
    if args.conditional:  # labels drawn i.i.d. (`generated`): the FD the dice cost, reported
        row["fd_ratio_iid"] = _fd_ratio(generated, data, splits, extractor, seed)
        labels = matched_labels(data.labels[splits[0][1]], extractor.num_classes, seed)
        generated = trainer.sample(len(labels), labels=labels,
                                   averaged=averaged).astype(np.float32)
    histogram = class_histogram(extractor.probabilities(generated), extractor.num_classes)
    uniform = np.full(extractor.num_classes, 1.0 / extractor.num_classes)
    row |= {"classes": classes_covered(histogram),
            "kl_uniform": kl_to_reference(histogram, uniform),
            "histogram": histogram}
    scores = [evaluate_images(generated, data.images[reference], extractor,
                              real_heldout=data.images[heldout], samples=GENERATED, seed=seed)
              for reference, heldout in splits]
    row |= {key: statistics.fmean(s[key] for s in scores)
            for key in ("frechet_distance", "frechet_distance_real", "class_kl", "coverage",
                        "coverage_real", "density", "samples_generated")}
    row["fd_ratio"] = row["frechet_distance"] / row["frechet_distance_real"]
    if args.conditional:
        row["own_class"] = own_class_rates(trainer, extractor, extractor.num_classes, seed,
                                           averaged)
    return row


def matched_labels(heldout_labels: np.ndarray, classes: int, seed: int) -> torch.Tensor:
    """Labels for a conditional generator's evaluation set: each class exactly as often as
    in the held-out set P (the same for every split), shuffled. The floor FD(P, R) is taken
    with P's class counts; labels drawn i.i.d. instead would add the multinomial noise of the
    class mix, which a conditional generator does not learn (the caller picks it) and which
    alone costs 1.7-2.8× the floor at 898 images (seeds 1-3, README)."""
    counts = np.bincount(np.asarray(heldout_labels), minlength=classes)
    labels = np.repeat(np.arange(classes), counts)
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(seed))
    return torch.as_tensor(labels)[order]


def _fd_ratio(generated, data, splits, extractor, seed: int) -> float:
    """mean FD(G, R) / mean FD(P, R) over the splits."""
    scores = [evaluate_images(generated, data.images[reference], extractor,
                              real_heldout=data.images[heldout], samples=GENERATED, seed=seed)
              for reference, heldout in splits]
    return (statistics.fmean(s["frechet_distance"] for s in scores)
            / statistics.fmean(s["frechet_distance_real"] for s in scores))


def _ok(value: float, goal: float, lower_is_better: bool) -> str:
    return "✓" if (value <= goal if lower_is_better else value >= goal) else "✗"


def run_table(row: dict) -> str:
    """One run: each measure, its goal and whether it is met."""
    head = (f"seed {row['seed']}: {row['iterations']} iterations in {row['seconds']:.0f} s "
            f"({row['iterations'] / row['seconds']:.1f} it/s; CPU time "
            f"{row['cpu_seconds']:.0f} s, {row['iterations'] / row['cpu_seconds']:.1f} it per "
            "CPU second)")
    if "classes" not in row:
        return head + ": diverged (non-finite weights or samples)"
    lines = [head, "", "| measure | value | goal | met |", "|---|---|---|---|",
             f"| classes covered | {row['classes']} / 10 | 10 / 10 | "
             f"{_ok(row['classes'], GOALS['classes'], False)} |",
             f"| KL(generated classes ‖ uniform), nats | {row['kl_uniform']:.3f} | ≤ 0.05 | "
             f"{_ok(row['kl_uniform'], GOALS['kl_uniform'], True)} |",
             f"| KL(generated classes ‖ real classes), nats | {row['class_kl']:.3f} | | |",
             f"| Fréchet distance (real vs held-out real) | {row['frechet_distance']:.1f} "
             f"({row['frechet_distance_real']:.1f}) | | |",
             f"| FD / real-vs-held-out FD | {row['fd_ratio']:.2f} | ≤ 3 | "
             f"{_ok(row['fd_ratio'], GOALS['fd_ratio'], True)} |",
             *([f"| FD / real-vs-held-out FD, labels drawn i.i.d. | {row['fd_ratio_iid']:.2f}"
                " | | |"] if "fd_ratio_iid" in row else []),
             f"| coverage (held-out real) | {row['coverage']:.2f} ({row['coverage_real']:.2f}) "
             f"| ≥ 0.8 | {_ok(row['coverage'], GOALS['coverage'], False)} |",
             f"| density | {row['density']:.2f} | | |"]
    if "own_class" in row:
        rates = row["own_class"]
        lines.append(f"| own class, worst class | {100 * min(rates):.0f}% (class "
                     f"{int(np.argmin(rates))}) | ≥ 90% every class | "
                     f"{_ok(min(rates), GOALS['own_class'], False)} |")
        lines.append("| own class, per class 0–9 | "
                     + " ".join(f"{100 * r:.0f}" for r in rates) + " (%) | | |")
    lines.append("| generated class histogram 0–9 | "
                 + " ".join(f"{100 * h:.1f}" for h in row["histogram"]) + " (%) | | |")
    return "\n".join(lines)


def _mean_sd(values: list[float], digits: int) -> str:
    if len(values) < 2:
        return f"{values[0]:.{digits}f}" if values else "–"
    return f"{statistics.fmean(values):.{digits}f} ± {statistics.stdev(values):.{digits}f}"


def summary(rows: list[dict], conditional: bool, iterations: int) -> str:
    """Mean ± sd over seeds that finished finite, and how many seeds met each goal."""
    done = [r for r in rows if "classes" in r]
    lines = ["| measure | mean ± sd over seeds | goal | seeds meeting it |", "|---|---|---|---|"]

    def add(label, key, digits, goal_text, goal=None, lower=True):
        values = [r[key] for r in done]
        met = f"{sum(_ok(v, goal, lower) == '✓' for v in values)} / {len(rows)}" \
            if goal is not None else ""
        lines.append(f"| {label} | {_mean_sd(values, digits)} | {goal_text} | {met} |")

    add("iterations", "iterations", 0, f"≤ {iterations} or budget")
    add("classes covered", "classes", 1, "10 / 10", GOALS["classes"], lower=False)
    add("KL(classes ‖ uniform), nats", "kl_uniform", 3, "≤ 0.05", GOALS["kl_uniform"])
    add("KL(classes ‖ real classes), nats", "class_kl", 3, "")
    add("Fréchet distance", "frechet_distance", 1, "")
    add("real vs held-out real FD", "frechet_distance_real", 1, "")
    add("FD / real-vs-held-out FD", "fd_ratio", 2, "≤ 3", GOALS["fd_ratio"])
    if conditional:
        add("FD / floor, labels drawn i.i.d.", "fd_ratio_iid", 2, "")
    add("coverage", "coverage", 2, "≥ 0.8", GOALS["coverage"], lower=False)
    add("coverage of held-out real", "coverage_real", 2, "")
    add("density", "density", 2, "")
    if conditional:
        for r in done:
            r["own_class_worst"] = min(r["own_class"])
        add("own class, worst class", "own_class_worst", 2, "≥ 0.90", GOALS["own_class"],
            lower=False)
    diverged = len(rows) - len(done)
    if diverged:
        lines.append(f"| diverged runs | {diverged} | 0 | |")
    return "\n".join(lines)


def generated_text(args, splits) -> str:
    if not args.conditional:
        return f"{GENERATED} generated images"
    return (f"{len(splits[0][1])} generated images with the held-out set's class counts as "
            f"labels ({GENERATED} with labels drawn i.i.d. for the i.i.d. FD)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="runs, seeds F … F + N − 1")
    parser.add_argument("--first-seed", type=int, default=1, help="F, the first seed")
    parser.add_argument("--seconds", type=float, default=180.0, help="wall-clock budget per run")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=1, help="seeds run at a time (processes)")
    parser.add_argument("--conditional", action="store_true")
    parser.add_argument("--resolution", type=int, default=None,
                        help="image side (default: the recipe's)")
    parser.add_argument("--raw", action="store_true",
                        help="score the raw generator, not its weight average")
    parser.add_argument("--gan-on-reference", action="store_true",
                        help="train the GAN on the reference half only (held-out unseen)")
    parser.add_argument("--set", default=None,
                        help='JSON settings laid over the recipe, e.g. \'{"training": '
                        '{"generator_ema": 0.99}}\'')
    parser.add_argument("--iterations", type=int, default=None,
                        help="iterations in place of the recipe's")
    parser.add_argument("--no-save", action="store_true", help="print only")
    parser.add_argument("--out", default=None,
                        help="results file (default benchmarks/results/<name>_<date>.txt)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data, splits, extractor = _evaluation_set(args)
    config = run_config(args)
    side = config.target.resolution
    recipe = "conditional image recipe" if args.conditional else "image recipe"
    average = (f"G weight average β {config.training.generator_ema:g}, "
               f"{'raw G scored' if args.raw else 'averaged G scored'}"
               if config.training.generator_ema > 0 else "no weight average")
    header = [f"# {machine_line(args.threads)}"
              + (f", {args.jobs} seeds at a time" if args.jobs > 1 else ""),
              f"# digits {side}×{side}, {recipe} ({config.objective.name}, z "
              f"{config.model.latent_dim}, width {config.model.generator.width}, batch "
              f"{config.training.batch_size}, G/D lr {config.generator_optimizer.learning_rate:g}"
              f"/{config.discriminator_optimizer.learning_rate:g}, {average}), GAN trained on "
              f"{'the reference half' if args.gan_on_reference else 'all digits'}; budget "
              f"{args.seconds:g} s or {config.training.iterations} "
              f"iterations; {generated_text(args, splits)}; reference {len(splits[0][0])} "
              f"/ held-out "
              f"{len(splits[0][1])} real digits (stratified splits, means over {len(splits)}); "
              "classifier "
              f"held-out accuracy {extractor.accuracy:.3f}"]
    if args.set:
        header.append(f"# settings laid over the recipe: {args.set}")
    print("\n".join(header), flush=True)
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs, multiprocessing.get_context("spawn")) as pool:
            rows = list(pool.map(run_seed, seeds, [args] * len(seeds)))
        print("\n" + "\n\n".join(run_table(row) for row in rows), flush=True)
    else:
        rows = []
        for seed in seeds:
            rows.append(run_one(seed, args, data, splits, extractor))
            print(f"\n{run_table(rows[-1])}", flush=True)
    runs = [run_table(row) for row in rows]
    total = summary(rows, args.conditional, config.training.iterations)
    print(f"\n{total}")
    if not args.no_save:
        name = "image_quality_conditional" if args.conditional else "image_quality"
        text = "\n".join(header) + "\n\n" + "\n\n".join(runs) + "\n\n## Summary\n\n" + total
        print(f"# saved to {save_results(name, text, args.out)}")


if __name__ == "__main__":
    main()
