"""What drawing a conditional generator's labels i.i.d. costs in Fréchet distance, by itself.

A conditional generator draws G(z, y) for labels y its caller picks. `Trainer.sample` draws
them i.i.d. from the data's class frequencies, so the class mix of an evaluation set carries
multinomial noise; the floor FD(P, R) of `image_quality.py` is measured with a held-out set P
whose class counts match R's (a stratified split). This script measures the FD a *perfect*
conditional sampler would score with a given label draw: the held-out set P, reweighted so
that its classes come in the drawn proportions, against R,

    weight of a held-out image of class c = q(c) / p(c),    q: drawn shares, p: P's shares,

with the weighted mean and covariance (unbiased for weights) in the Fréchet formula. It
prints, for seeds 1-3, the label counts `image_quality.py --conditional` draws for its 1,000
i.i.d.-labelled images (the same calls on a fresh `Trainer`'s evaluation noise) and the
ratio mean FD(P reweighted, R) / mean FD(P, R) over the five splits; and the spread of that
ratio over 200 random draws of 898 labels (split 0). Classifier features as in
`image_quality.py` (the cached 8×8 digits classifier).

    python benchmarks/conditional_label_noise.py [--no-save | --out FILE]
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from image_bench_common import image_recipe_config, machine_line, save_results
from image_quality import GENERATED, SPLITS

from ganlab.core.image_classifier import classifier_for, stratified_split
from ganlab.core.image_scores import _symmetric_sqrt
from ganlab.core.targets.image_targets import image_target
from ganlab.core.trainer import Trainer


def weighted_moments(features: np.ndarray, weights: np.ndarray):
    """Weighted mean and covariance (denominator 1 − Σw², w normalised: unbiased)."""
    weights = weights / weights.sum()
    mean = weights @ features
    centred = features - mean
    return mean, (weights[:, None] * centred).T @ centred / (1.0 - np.sum(weights ** 2))


def frechet(mean_a, cov_a, mean_b, cov_b) -> float:
    """‖μa − μb‖² + Tr(Σa + Σb − 2 (Σa Σb)^½), as `image_scores.frechet_distance`."""
    root = _symmetric_sqrt(cov_a)
    middle = root @ cov_b @ root
    eigenvalues = np.linalg.eigvalsh((middle + middle.T) / 2)
    return float(np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a) + np.trace(cov_b)
                 - 2.0 * np.sqrt(np.clip(eigenvalues, 0.0, None)).sum())


def ratio(features, labels, split: int, shares: np.ndarray) -> tuple[float, float]:
    """(FD(P, R), FD(P reweighted to `shares`, R)) for one split."""
    reference, heldout = stratified_split(labels, 0.5, split)
    real = features[reference]
    mean_r, cov_r = real.mean(axis=0), np.cov(real, rowvar=False)
    held, held_labels = features[heldout], labels[heldout]
    own = np.bincount(held_labels, minlength=len(shares)) / len(held_labels)
    flat = frechet(*weighted_moments(held, np.ones(len(held))), mean_r, cov_r)
    return flat, frechet(*weighted_moments(held, (shares / own)[held_labels]), mean_r, cov_r)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-save", action="store_true")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    torch.set_num_threads(1)
    data = image_target("digits", 8).data
    labels = np.asarray(data.labels)
    extractor = classifier_for(data.images, labels, 10, key=data.content_hash())
    features = extractor.features(np.asarray(data.images, dtype=np.float32))
    lines = [f"# {machine_line(1)}",
             "# digits 8×8, classifier features; FD of a perfect conditional sampler with a "
             "given label draw (held-out set reweighted) over the floor FD(P, R)", "",
             "| seed | label counts 0–9 (1,000 i.i.d.) | FD(P, R) | FD(P reweighted, R) | ratio |",
             "|---|---|---|---|---|"]
    for seed in (1, 2, 3):
        trainer = Trainer(image_recipe_config(None, seed=seed, conditional=True))
        trainer.latent_batch(GENERATED, trainer.evaluation_rng)  # as `Trainer.sample` draws
        drawn = trainer.generated_labels(GENERATED, trainer.evaluation_rng).numpy()
        counts = np.bincount(drawn, minlength=10)
        pairs = [ratio(features, labels, split, counts / counts.sum()) for split in range(SPLITS)]
        flat, weighted = (float(np.mean(values)) for values in zip(*pairs, strict=True))
        lines.append(f"| {seed} | {' '.join(map(str, counts))} | {flat:.2f} | {weighted:.2f} | "
                     f"{weighted / flat:.2f} |")
    rng = np.random.default_rng(0)
    shares = np.bincount(labels, minlength=10) / len(labels)
    ratios = []
    for _ in range(200):
        flat, weighted = ratio(features, labels, 0, rng.multinomial(898, shares) / 898)
        ratios.append(weighted / flat)
    low, middle, high = np.percentile(ratios, [10, 50, 90])
    lines += ["", f"200 random draws of 898 i.i.d. labels (split 0): ratio 10th / 50th / 90th "
              f"percentile {low:.2f} / {middle:.2f} / {high:.2f}"]
    text = "\n".join(lines)
    print(text)
    if not args.no_save:
        print(f"# saved to {save_results('conditional_label_noise', text, args.out)}")


if __name__ == "__main__":
    main()
