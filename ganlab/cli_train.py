"""`ganlab train`: train without a window and write the results (or continue a session).

Its options: the files and outputs by hand, every setting of the run from the settings'
declarations (`ganlab.cli_options`). Bad input raises `UsageError`, which `ganlab.cli` prints
as one line with exit code 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ganlab.cli_errors import UsageError, check_range

DEFAULT_OUT = Path("runs/latest")


def _add_train_options(parser: argparse.ArgumentParser, root: type | None = None) -> None:
    """The train command's options: files and output by hand, every setting of `root`
    (RunConfig unless given) from its declaration."""
    from ganlab.cli_options import add_setting_options
    from ganlab.core.config import RunConfig
    from ganlab.core.metrics import EVALUATION_SAMPLES

    add = parser.add_argument
    add("--config", type=Path, help="start from this config.json (options below override it)")
    add("--resume", type=Path, metavar="SESSION",
        help="continue a saved session.ganlab up to --iterations (only --iterations, --device, "
        "--out and the output options may be given with it)")
    add("--out", type=Path, help=f"output folder (default: {DEFAULT_OUT}, replaced by each run "
        "that does not name one)")
    add("--overwrite", action="store_true", help="replace the run already in --out")
    add(
        "--paper-defaults",
        action="store_true",
        help="use the optimizer, learning rates, betas, k and constants of the objective's paper",
    )
    add_setting_options(parser, root or RunConfig)
    add("--threads", type=int, default=0, help="CPU threads for torch (default: 1 for points, "
        "whose small networks run slower on two threads as soon as anything else needs a core; "
        "torch's choice for images)")
    add("--evaluations", type=int, default=10, help="how often to evaluate (default: 10)")
    add("--samples", type=int, default=EVALUATION_SAMPLES,
        help="samples written to samples.npy: the draw the final metrics are computed from "
        "(default: %(default)s)")
    add("--quiet", "-q", action="store_true", help="no progress bar")


MAX_CONFIG_BYTES = 256 * 2**20  # a configuration may carry painted or loaded points


def read_config_file(path: Path):
    """The RunConfig in a config.json, read as untrusted input: a regular file of bounded
    size, bounded JSON, an object of known settings; any problem is a UsageError naming it."""
    from ganlab.core.config import ConfigError, RunConfig
    from ganlab.core.targets.points import MAX_POINTS
    from ganlab.core.untrusted_input import UntrustedInputError, parse_json, read_file

    try:
        data = parse_json(read_file(path, MAX_CONFIG_BYTES), max_values=2 * MAX_POINTS + 10_000)
    except UntrustedInputError as error:
        raise UsageError(f"{path}: {error}") from None
    except OSError as error:
        raise UsageError(f"{path}: cannot read ({error.strerror or error})") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: a configuration must be a JSON object")
    try:
        return RunConfig.from_dict(data)
    except ConfigError as error:
        raise UsageError(f"{path}: {error}") from None


def config_from_args(args: argparse.Namespace, root: type | None = None):
    """Build a RunConfig (or `root`): defaults (with the image recipe for image targets) or a
    --config file ← --paper-defaults ← explicit options; --points-file and --images imply
    --target custom."""
    from ganlab.cli_options import settings_from_args
    from ganlab.core.config import RunConfig
    from ganlab.core.recipes import recipe_for

    root = root or RunConfig
    options = settings_from_args(args, root)
    if args.points_file is not None or args.images is not None:
        options["target"]["name"] = "custom"
    if args.config is not None:
        config = read_config_file(args.config)
    else:  # the shipped recipe of the target's kind of data
        target = options.get("target", {})
        config = root().merged(recipe_for(target.get("name", root().target.name),
                                          target.get("images"),
                                          options.get("model", {}).get("conditional", False)))
    if args.paper_defaults:
        name = options.get("objective", {}).get("name", config.objective.name)
        config = apply_paper_defaults(config, name)
    return config.merged(options).validate()


def apply_paper_defaults(config, objective_name: str):
    """`config` with every setting that declares a paper value set to what the paper of the
    objective `objective_name` used (optimizers, rates, betas, k, batch, constants)."""
    from ganlab.core.objectives import get_objective
    from ganlab.core.settings import paper_values

    return config.merged(paper_values(type(config), get_objective(objective_name).paper))


def _trainer_on_images(config, quiet: bool):
    """A trainer on the images of `--images`, read once here so that skipped files are
    reported before training (a broken source is an ImageFileError naming it)."""
    from ganlab.core.images import load_images
    from ganlab.core.targets import ImageTarget
    from ganlab.core.trainer import Trainer

    path = config.target.images
    loaded = load_images(path, resolution=config.target.resolution)
    if not quiet:
        print(f"{len(loaded.data):,} images of {loaded.data.shape} from {path}"
              + (f", {loaded.data.num_classes} classes" if loaded.data.labelled else ""),
              file=sys.stderr)
    if loaded.skipped:
        first, reason = loaded.skipped[0]
        print(f"ganlab: {len(loaded.skipped):,} files skipped, e.g. {first}: {reason}",
              file=sys.stderr)
    return Trainer(config, target=ImageTarget(loaded.data))


def _command_train(args) -> int:
    from ganlab.core.headless import TrainingDivergedError, run_headless
    from ganlab.core.run_folder import RunExistsError, RunFolderError, RunWriteError

    _check_train_numbers(args)
    if args.resume is not None:
        trainer, history = _resumed(args)
        config = trainer.config
    else:
        trainer, history = None, None
        config = config_from_args(args)
        _check_device(config.training.device, args)
        if config.target.images is not None:
            trainer = _trainer_on_images(config, quiet=args.quiet)
    _set_threads(args.threads or default_threads(config))
    out = args.out if args.out is not None else DEFAULT_OUT
    start = trainer.iteration if trainer is not None else 0
    try:
        result = run_headless(
            config,
            out,
            evaluations=args.evaluations,
            sample_count=args.samples,
            progress=not args.quiet,
            trainer=trainer,
            history=history,
            overwrite=args.overwrite or args.out is None,  # the default folder is "the latest"
        )
    except RunExistsError:
        raise UsageError(f"--out {out}: already holds a run; give --overwrite to replace it, "
                         "or another --out") from None
    except RunWriteError:
        raise
    except RunFolderError as error:
        raise UsageError(f"--out {error}") from None
    except TrainingDivergedError as error:
        diverged = error.result
        print(_summary(diverged, diverged.diverged_at - start, out))
        raise
    print(_summary(result, config.training.iterations - start, out))
    return 0


def _check_train_numbers(args) -> None:
    """Bounds of the options that are not part of the run configuration."""
    from ganlab.core.headless import MAX_EVALUATIONS, MAX_SAMPLES

    check_range("--evaluations", args.evaluations, 1, MAX_EVALUATIONS)
    check_range("--samples", args.samples, 1, MAX_SAMPLES,
                 hint="; draw more with `ganlab sample RUN/generator --n N`")
    check_range("--threads", args.threads, 0, os.cpu_count() or 1,
                 hint=" (0: the default; this machine has that many CPU cores)")


def default_threads(config) -> int:
    """Torch threads when --threads is not given: 1 for points (a 3×128 step is ~5 ms of small
    matrix products: a second thread gains ≤ ~10% on an idle 2-core machine and makes each step
    ~10× slower whenever the other core is busy: `benchmarks/recipe_cost.py --threads-check`,
    README "Quality: the shipped recipe"); 0 (torch's choice) for images."""
    from ganlab.core.recipes import is_image_target

    return 0 if is_image_target(config.target.name, config.target.images) else 1


def _set_threads(threads: int) -> None:
    if threads:
        import torch

        torch.set_num_threads(threads)


def _check_device(name: str, args) -> None:
    """Fail before training if the device is unusable, naming where the name came from."""
    from ganlab.core.devices import DeviceUnavailableError, resolve_device

    try:
        resolve_device(name)
    except DeviceUnavailableError as error:
        if args.device is not None:
            raise UsageError(f"--device {args.device!r}: {error}") from None
        if args.config is not None:
            raise UsageError(f"{args.config}: training.device: {error}") from None
        raise


RESUME_OPTIONS = {"resume", "iterations", "device", "out", "threads", "evaluations", "samples",
                  "quiet", "handler", "command", "paper_defaults", "overwrite",
                  "self_test"}  # self_test: an option of `ganlab` itself, not of a run


def _resumed(args):
    """The trainer and history of `--resume`, with --iterations/--device applied."""
    from ganlab.core.devices import DeviceUnavailableError
    from ganlab.core.session_file import load_session

    others = sorted(k for k, v in vars(args).items() if k not in RESUME_OPTIONS and v is not None)
    if others or args.paper_defaults:
        names = ", ".join("--" + k.replace("_", "-") for k in others) or "a training option"
        raise UsageError(f"--resume continues the saved settings; {names} cannot be changed")
    if args.device is not None:
        _check_device(args.device, args)
    try:
        session = load_session(args.resume, device=args.device)
    except DeviceUnavailableError as error:  # the device the session was saved with
        raise UsageError(f"{args.resume}: {error}") from None
    trainer = session.trainer
    if not trainer.state_is_finite():
        raise UsageError(f"{args.resume}: the saved weights or optimizer state are not finite "
                         "(NaN or infinite); the run had diverged, so there is nothing to continue")
    if args.iterations is not None:
        if args.iterations <= trainer.iteration:
            raise UsageError(f"--iterations {args.iterations} is not beyond the session's "
                             f"iteration {trainer.iteration}")
        new = trainer.config.copy()
        new.training.iterations = args.iterations
        trainer.apply_config(new)
    elif trainer.iteration >= trainer.config.training.iterations:
        raise UsageError(f"the session already ran its {trainer.iteration} iterations; "
                         "give a larger --iterations to continue")
    # the rows that go on are the evaluations (the app's sessions also hold its chart series,
    # rows without an iteration, which the app reads back and a headless run does not extend)
    return trainer, [row for row in session.history if "iteration" in row]


def _summary(result, iterations: int, out: Path) -> str:
    final, seconds = result.final, result.seconds
    parts = [
        f"{iterations} iterations in {seconds:.1f} s ({iterations / max(seconds, 1e-9):.0f} it/s)"
    ]
    if result.diverged:
        parts.append(f"diverged at iteration {result.diverged_at}; results from iteration "
                     f"{result.results_from_iteration}, the last finite state")
    if "modes_covered" in final:
        parts.append(f"modes {final['modes_covered']}/{final['total_modes']}")
        parts.append(f"high quality {100 * final['high_quality_fraction']:.1f}%")
        parts.append(f"reverse KL {final['reverse_kl']:.3f}")
    for key, label in (("js", "JS"), ("w1", "W1")):
        if final.get(key) is not None:
            parts.append(f"{label} {final[key]:.4f}")
    return " · ".join(parts) + f"\nresults in {out}"
