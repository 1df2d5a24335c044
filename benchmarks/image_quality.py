"""Quality of the shipped image recipe on the embedded digits at 16×16, after a wall-clock budget.

Each seed trains `ganlab train --target digits`'s configuration (the image recipe: DCGAN, z 32,
width 64, Adam 2·10⁻⁴ β1 0.5, batch 64, non-saturating; `--conditional` adds the conditional
model) with `Trainer` on `--threads` CPU threads (default 2) until the recipe's iterations are
done or `--seconds` (default 180) have passed, whichever comes first. Then 1,000 images are
generated (evaluation noise, batch norm in eval mode) and scored by the dataset's own classifier
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
- `--conditional`: for each class c, 100 images G(z, c) from fixed z; the share the classifier
  labels c (goal ≥ 90% for every class).

Runs are sequential, each on `--threads` threads: on a machine whose cores are busy, two threads
can drop to a few iterations per second (seen: 1 it/s against 14 on one thread), which a wall-
clock budget turns into a failed run; the header prints the iterations each run reached.

    python benchmarks/image_quality.py [--seeds 3] [--seconds 180] [--threads 2]
        [--conditional] [--gan-on-reference] [--no-save | --out FILE]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time

import numpy as np
import torch
from image_bench_common import image_recipe_config, machine_line, save_results

from ganlab.core.image_classifier import classifier_for, stratified_split
from ganlab.core.image_evaluation import evaluate_images
from ganlab.core.image_scores import class_histogram, classes_covered, kl_to_reference
from ganlab.core.targets.image_targets import ImageTarget, image_target
from ganlab.core.trainer import Trainer

RESOLUTION = 16
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


def own_class_rates(trainer: Trainer, extractor, classes: int, seed: int) -> list[float]:
    """For each class c: the share of PER_CLASS images G(z, c) the classifier labels c."""
    z = torch.randn(PER_CLASS, trainer.config.model.latent_dim,
                    generator=torch.Generator().manual_seed(seed))
    rates = []
    for c in range(classes):
        images = trainer.sample(PER_CLASS, latent=z, labels=torch.full((PER_CLASS,), c))
        rates.append(float(np.mean(extractor.predict(images.astype(np.float32)) == c)))
    return rates


def run_one(seed: int, args, data, splits, extractor) -> dict:
    config = image_recipe_config(RESOLUTION, seed=seed, conditional=args.conditional)
    target = None
    if args.gan_on_reference:
        reference = splits[0][0]
        images, labels = data.images[reference], data.labels[reference]
        target = ImageTarget(dataclasses.replace(data, images=images, labels=labels),
                             name="digits")
    trainer = Trainer(config, target=target)
    iterations, seconds = train_within_budget(trainer, args.seconds)
    row = {"seed": seed, "iterations": iterations, "seconds": seconds,
           "finite": trainer.state_is_finite()}
    generated = trainer.sample(GENERATED).astype(np.float32)
    if not row["finite"] or not np.isfinite(generated).all():
        return row
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
        row["own_class"] = own_class_rates(trainer, extractor, extractor.num_classes, seed)
    return row


def _ok(value: float, goal: float, lower_is_better: bool) -> str:
    return "✓" if (value <= goal if lower_is_better else value >= goal) else "✗"


def run_table(row: dict) -> str:
    """One run: each measure, its goal and whether it is met."""
    head = (f"seed {row['seed']}: {row['iterations']} iterations in {row['seconds']:.0f} s "
            f"({row['iterations'] / row['seconds']:.1f} it/s)")
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


def summary(rows: list[dict], conditional: bool) -> str:
    """Mean ± sd over seeds that finished finite, and how many seeds met each goal."""
    done = [r for r in rows if "classes" in r]
    lines = ["| measure | mean ± sd over seeds | goal | seeds meeting it |", "|---|---|---|---|"]

    def add(label, key, digits, goal_text, goal=None, lower=True):
        values = [r[key] for r in done]
        met = f"{sum(_ok(v, goal, lower) == '✓' for v in values)} / {len(rows)}" \
            if goal is not None else ""
        lines.append(f"| {label} | {_mean_sd(values, digits)} | {goal_text} | {met} |")

    add("iterations", "iterations", 0, "≤ 3000 or budget")
    add("classes covered", "classes", 1, "10 / 10", GOALS["classes"], lower=False)
    add("KL(classes ‖ uniform), nats", "kl_uniform", 3, "≤ 0.05", GOALS["kl_uniform"])
    add("KL(classes ‖ real classes), nats", "class_kl", 3, "")
    add("Fréchet distance", "frechet_distance", 1, "")
    add("real vs held-out real FD", "frechet_distance_real", 1, "")
    add("FD / real-vs-held-out FD", "fd_ratio", 2, "≤ 3", GOALS["fd_ratio"])
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="runs, seeds 1 … N")
    parser.add_argument("--seconds", type=float, default=180.0, help="wall-clock budget per run")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--conditional", action="store_true")
    parser.add_argument("--gan-on-reference", action="store_true",
                        help="train the GAN on the reference half only (held-out unseen)")
    parser.add_argument("--no-save", action="store_true", help="print only")
    parser.add_argument("--out", default=None,
                        help="results file (default benchmarks/results/<name>_<date>.txt)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data = image_target("digits", RESOLUTION).data
    splits = [stratified_split(data.labels, 0.5, split)
              for split in range(1 if args.gan_on_reference else SPLITS)]
    extractor = classifier_for(data.images, data.labels, len(data.class_names),
                               key=data.content_hash())
    torch.set_num_threads(args.threads)  # in case training the classifier changed it
    recipe = "conditional image recipe" if args.conditional else "image recipe"
    header = [f"# {machine_line(args.threads)}",
              f"# digits {RESOLUTION}×{RESOLUTION}, {recipe}, GAN trained on "
              f"{'the reference half' if args.gan_on_reference else 'all digits'}; budget "
              f"{args.seconds:g} s or {image_recipe_config(RESOLUTION).training.iterations} "
              f"iterations; {GENERATED} generated images; reference {len(splits[0][0])} / held-out "
              f"{len(splits[0][1])} real digits (stratified splits, means over {len(splits)}); "
              "classifier "
              f"held-out accuracy {extractor.accuracy:.3f}"]
    print("\n".join(header), flush=True)
    rows, runs = [], []
    for seed in range(1, args.seeds + 1):
        rows.append(run_one(seed, args, data, splits, extractor))
        runs.append(run_table(rows[-1]))
        print(f"\n{runs[-1]}", flush=True)
    total = summary(rows, args.conditional)
    print(f"\n{total}")
    if not args.no_save:
        name = "image_quality_conditional" if args.conditional else "image_quality"
        text = "\n".join(header) + "\n\n" + "\n\n".join(runs) + "\n\n## Summary\n\n" + total
        print(f"# saved to {save_results(name, text, args.out)}")


if __name__ == "__main__":
    main()
