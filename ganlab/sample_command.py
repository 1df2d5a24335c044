"""`ganlab sample GENERATOR --out FILE`: draw samples from an exported generator.

GENERATOR is a generator's .json, .safetensors, their common stem, or a run folder (its
`generator`). Points generators write `--n` points (default 2500) as .npy (n, dim) or .csv.
Image generators write `--n` images (default 64) as a PNG grid (.png; `ganlab.core.image_grid`)
and/or a .npy of (n, channels, height, width) float32 in [0, 1]; `--png FILE` and `--npy FILE`
add a second output beside `--out`. A conditional image generator needs its classes:
`--labels 3` (every image of class 3) or `--labels 0,4,7` (the n images cycle through them), or
`--per-class K` (K images of each class, or of each class in --labels). The grid has one row per
class when more than one class is drawn, unless `--columns` fixes the layout; `--zoom` enlarges
each pixel (default: tiles at least 32 pixels wide). Bad input: one line, exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ganlab.cli_errors import UsageError, check_range

DEFAULT_POINTS, DEFAULT_IMAGES = 2500, 64
MAX_IMAGE_VALUES = 2**27  # floats in one draw of images: 512 MiB as float32
CHUNK = 256  # images per forward pass: bounds the activations' memory
SUFFIXES = {".npy": "npy", ".csv": "csv", ".png": "png"}


def add_parser(subcommands) -> argparse.ArgumentParser:
    """Add the `sample` subcommand to an argparse subparsers object."""
    parser = subcommands.add_parser("sample", help="draw samples from an exported generator",
                                    description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("generator", type=Path,
                        help="generator .safetensors, .json, their stem, or a run folder")
    parser.add_argument("--n", type=int, default=None,
                        help=f"how many samples (default: {DEFAULT_POINTS} points or "
                             f"{DEFAULT_IMAGES} images)")
    parser.add_argument("--out", type=Path, required=True,
                        help="FILE.npy or FILE.csv (points); FILE.png or FILE.npy (images)")
    parser.add_argument("--npy", type=Path, default=None, help="also write the samples as .npy")
    parser.add_argument("--png", type=Path, default=None, help="also write a PNG grid (images)")
    parser.add_argument("--seed", type=int, default=None, help="latent noise seed")
    parser.add_argument("--labels", default=None,
                        help="classes to draw from a conditional generator: 3 or 0,4,7")
    parser.add_argument("--per-class", type=int, default=None,
                        help="K images of each class (conditional generators)")
    parser.add_argument("--columns", type=int, default=None, help="grid columns (PNG)")
    parser.add_argument("--zoom", type=int, default=None,
                        help="PNG pixels per image pixel (default: tiles ≥ 32 pixels wide)")
    parser.set_defaults(handler=run_sample)
    return parser


def run_sample(args) -> int:
    """The handler: draw, write every output, print one line. Raises UsageError (bad input)."""
    from ganlab.cli import _check_output_file, _finite_generator
    from ganlab.core.targets.points_limits import MAX_POINTS

    if args.n is not None:
        check_range("--n", args.n, 1, MAX_POINTS)
    if args.seed is not None:
        check_range("--seed", args.seed, 0, 2**64 - 1)
    outputs = _outputs(args)
    for path in outputs:
        _check_output_file(path)
    generator = _finite_generator(args.generator)
    if getattr(generator, "data_kind", "points") == "images":
        return _sample_images(args, generator, outputs)
    return _sample_points(args, generator, outputs)


def _outputs(args) -> dict[Path, tuple[str, str]]:
    """{path: (kind, option)}, kind "npy", "csv" or "png", for --out, --npy and --png."""
    kind = SUFFIXES.get(args.out.suffix.lower())
    if kind is None:
        raise UsageError(f"{args.out}: the output must end in .png, .npy or .csv")
    outputs = {args.out: (kind, "--out")}
    for option, path, wanted in (("--npy", args.npy, "npy"), ("--png", args.png, "png")):
        if path is None:
            continue
        if path.suffix.lower() != f".{wanted}":
            raise UsageError(f"{option} {path}: must end in .{wanted}")
        if path in outputs:
            raise UsageError(f"{option} {path}: the same file as --out")
        outputs[path] = (wanted, option)
    return outputs


def _sample_points(args, generator, outputs: dict[Path, tuple[str, str]]) -> int:
    import numpy as np

    for path, (kind, _) in outputs.items():
        if kind == "png":
            raise UsageError(f"{args.generator}: a points generator draws no images; write "
                             f"{path.with_suffix('.npy').name} or .csv instead of {path.name}")
    for option in ("labels", "per_class", "columns", "zoom"):
        if getattr(args, option) is not None:
            name = "--" + option.replace("_", "-")
            raise UsageError(f"{name}: only for image generators; {args.generator} draws points")
    n = DEFAULT_POINTS if args.n is None else args.n
    samples = generator.sample(n, seed=args.seed).numpy()
    if not np.isfinite(samples).all():
        raise UsageError(f"{args.generator}: the generator produces NaN or infinite samples")

    def writer(kind: str):
        def write(stream) -> None:
            if kind == "npy":
                np.save(stream, samples, allow_pickle=False)
            else:
                dim = samples.shape[1]
                header = ",".join("xy"[i] if dim <= 2 else f"x{i}" for i in range(dim))
                np.savetxt(stream, samples, delimiter=",", header=header, comments="")
        return write

    _write_all(outputs, writer)
    sys.stdout.write(f"wrote {n} samples to {' and '.join(str(p) for p in outputs)}\n")
    return 0


def _sample_images(args, generator, outputs: dict[Path, tuple[str, str]]) -> int:
    import math

    import numpy as np

    from ganlab.core.image_grid import image_grid, png_bytes

    for path, (kind, _) in outputs.items():
        if kind == "csv":
            raise UsageError(f"{path}: images are written as .png or .npy, not .csv")
    labels = _labels(args, generator)
    n = len(labels) if labels is not None else DEFAULT_IMAGES if args.n is None else args.n
    values = n * math.prod(generator.shape)
    if values > MAX_IMAGE_VALUES:
        most = MAX_IMAGE_VALUES // math.prod(generator.shape)
        raise UsageError(f"--n {n}: at most {most:,} images of "
                         f"{'×'.join(map(str, generator.shape))} at once")
    images = _draw(generator, n, args.seed, labels)
    if not np.isfinite(images).all():
        raise UsageError(f"{args.generator}: the generator produces NaN or infinite images")
    data = b""
    if any(kind == "png" for kind, _ in outputs.values()):
        size = generator.shape[1]
        zoom = max(1, 32 // size) if args.zoom is None else args.zoom
        check_range("--zoom", zoom, 1, 64)
        if args.columns is not None:
            check_range("--columns", args.columns, 1, n)
        by_class = labels is not None and args.columns is None and len(set(labels)) > 1
        try:
            picture = image_grid(images, columns=args.columns, zoom=zoom,
                                 labels=np.asarray(labels) if by_class else None)
        except ValueError as error:
            raise UsageError(f"cannot draw the PNG grid ({error})") from None
        data = png_bytes(picture)

    def writer(kind: str):
        if kind == "png":
            return lambda stream: stream.write(data)
        return lambda stream: np.save(stream, images, allow_pickle=False)

    _write_all(outputs, writer)
    shape = "×".join(map(str, generator.shape))
    sys.stdout.write(f"wrote {n} images ({shape}) to {' and '.join(str(p) for p in outputs)}\n")
    return 0


def _labels(args, generator) -> list[int] | None:
    """The class of each image to draw, or None for an unconditional generator."""
    classes = generator.num_classes
    if not classes:
        if args.labels is not None or args.per_class is not None:
            option = "--labels" if args.labels is not None else "--per-class"
            raise UsageError(f"{option}: {args.generator} is unconditional (it takes no labels)")
        return None
    if args.labels is None and args.per_class is None:
        raise UsageError(f"{args.generator}: conditional on {classes} classes: give --labels "
                         f"(e.g. --labels 3 or --labels 0,1,2) or --per-class K")
    chosen = list(range(classes))
    if args.labels is not None:
        try:
            chosen = [int(part) for part in args.labels.split(",")]
        except ValueError:
            raise UsageError(f"--labels {args.labels}: expected class numbers separated by "
                             "commas, e.g. 3 or 0,4,7") from None
        for label in chosen:
            check_range("--labels", label, 0, classes - 1, f" ({args.generator} has {classes} "
                        "classes)")
    if args.per_class is not None:
        if args.n is not None:
            raise UsageError("give --n or --per-class, not both")
        check_range("--per-class", args.per_class, 1, 100_000)
        return [label for label in chosen for _ in range(args.per_class)]
    n = DEFAULT_IMAGES if args.n is None else args.n
    return [chosen[i % len(chosen)] for i in range(n)]


def _draw(generator, n: int, seed: int | None, labels: list[int] | None):
    """n images as float32 numpy (n, c, h, w): z drawn as `generator.sample` draws it, forwarded
    CHUNK images at a time."""
    import numpy as np
    import torch

    from ganlab.core.nets import sample_latent

    rng = torch.Generator()
    if seed is None:
        rng.seed()
    else:
        rng.manual_seed(seed)
    z = sample_latent(n, generator.latent_dim, generator.latent_distribution, rng)
    y = None if labels is None else torch.tensor(labels, dtype=torch.int64)
    pieces = []
    with torch.no_grad():
        for start in range(0, n, CHUNK):
            part = None if y is None else y[start:start + CHUNK]
            pieces.append(generator(z[start:start + CHUNK], part).numpy())
    return np.concatenate(pieces).astype(np.float32, copy=False)


def _write_all(outputs: dict[Path, tuple[str, str]], writer) -> None:
    from ganlab.cli import _reason
    from ganlab.core.atomic_file import atomic_write

    for path, (kind, option) in outputs.items():
        try:
            atomic_write(path, writer(kind))
        except OSError as error:
            raise UsageError(f"{option} {path}: cannot be written ({_reason(error)})") from None
