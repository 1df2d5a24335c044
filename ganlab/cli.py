"""The `ganlab` command: the app with no arguments; `train`, `sample`, `targets`, `objectives`.

Bad input gets one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1
DEFAULT_OUT = Path("runs/latest")


class _Parser(argparse.ArgumentParser):
    """argparse, but an error is one line (no usage block) and exit code 2."""

    def error(self, message: str):
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


class UsageError(Exception):
    """Bad input from the command line: printed as one line, exit code 2."""


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
    add("--threads", type=int, default=0, help="CPU threads for torch (default: torch's choice)")
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
    """Build a RunConfig (or `root`): defaults ← --config file ← --paper-defaults ← explicit
    options; --points-file implies --target custom."""
    from ganlab.cli_options import settings_from_args
    from ganlab.core.config import RunConfig

    root = root or RunConfig
    config = read_config_file(args.config) if args.config is not None else root()
    options = settings_from_args(args, root)
    if args.points_file is not None:
        options["target"]["name"] = "custom"
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
    _set_threads(args.threads)
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

    _check_range("--evaluations", args.evaluations, 1, MAX_EVALUATIONS)
    _check_range("--samples", args.samples, 1, MAX_SAMPLES,
                 hint="; draw more with `ganlab sample RUN/generator --n N`")
    _check_range("--threads", args.threads, 0, os.cpu_count() or 1,
                 hint=" (0: torch's choice; this machine has that many CPU cores)")


def _check_range(option: str, value: int, low: int, high: int, hint: str = "") -> None:
    if not low <= value <= high:
        raise UsageError(f"{option} {value}: expected a whole number from {low:,} to "
                         f"{high:,}{hint}")


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
                  "quiet", "handler", "command", "paper_defaults", "overwrite"}


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


def _command_sample(args) -> int:
    import numpy as np

    from ganlab.core.atomic_file import atomic_write
    from ganlab.core.targets.points import MAX_POINTS

    _check_range("--n", args.n, 1, MAX_POINTS)
    if args.seed is not None:
        _check_range("--seed", args.seed, 0, 2**64 - 1)
    suffix = args.out.suffix.lower()
    if suffix not in (".npy", ".csv"):
        raise UsageError(f"{args.out}: the output must end in .npy or .csv")
    _check_output_file(args.out)
    generator = _finite_generator(args.generator)
    samples = generator.sample(args.n, seed=args.seed).numpy()
    if not np.isfinite(samples).all():
        raise UsageError(f"{args.generator}: the generator produces NaN or infinite samples")

    def write(stream) -> None:
        if suffix == ".npy":
            np.save(stream, samples, allow_pickle=False)
        else:
            header = ",".join(
                "xy"[i] if samples.shape[1] <= 2 else f"x{i}" for i in range(samples.shape[1])
            )
            np.savetxt(stream, samples, delimiter=",", header=header, comments="")

    try:
        atomic_write(args.out, write)
    except OSError as error:
        raise UsageError(f"--out {args.out}: cannot be written ({_reason(error)})") from None
    print(f"wrote {args.n} samples to {args.out}")
    return 0


def _check_output_file(path: Path) -> None:
    """Fail before any work if `path` cannot become a file: a folder, under a file, or a place
    this process may not write."""
    if path.is_dir():
        raise UsageError(f"--out {path}: is a folder; give a file name")
    folder = path.parent
    ancestor = folder
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise UsageError(f"--out {path}: {ancestor} is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"--out {path}: cannot create {folder} ({_reason(error)})") from None
    if not os.access(folder, os.W_OK):
        raise UsageError(f"--out {path}: cannot write in {folder} (permission denied or "
                         "read-only)")


def _finite_generator(path: Path):
    """The exported generator at `path` (a run folder stands for its `generator`), refused if
    its weights are not all finite."""
    import torch

    from ganlab.core.export import load_generator

    if path.is_dir():
        if not (path / "generator.json").is_file():
            raise UsageError(f"{path}: is a folder without a generator.json; give a generator "
                             "(.json, .safetensors or their common stem)")
        path = path / "generator"
    generator = load_generator(path)
    tensors = [*generator.parameters(), *generator.buffers()]
    if not all(bool(torch.isfinite(t).all()) for t in tensors):
        raise UsageError(f"{path}: the generator's weights are not finite (NaN or infinite); "
                         "it was saved from a run that diverged")
    return generator


def _reason(error: OSError) -> str:
    return error.strerror or str(error) or type(error).__name__


def _command_onnx(args) -> int:
    from ganlab.core.onnx_export import OnnxUnavailableError, export_onnx

    if args.out.suffix.lower() != ".onnx":
        raise UsageError(f"{args.out}: the output must end in .onnx")
    _check_output_file(args.out)
    generator = _finite_generator(args.generator)
    try:
        export_onnx(generator, generator.latent_dim, args.out)
    except OnnxUnavailableError as error:
        raise UsageError(str(error)) from None
    except OSError as error:
        raise UsageError(f"--out {args.out}: cannot be written ({_reason(error)})") from None
    print(f"wrote {args.out} (input z: n × {generator.latent_dim}, output x in data coordinates)")
    return 0


def _command_targets(args) -> int:
    from ganlab.core.targets import TARGETS

    for name, factory in TARGETS.items():
        target = factory()
        print(f"{name:<18} {target.dim}D  {target.description}")
    print(f"{'custom':<18} any  your own points: --points-file FILE.csv|.npy")
    return 0


def _command_objectives(args) -> int:
    from ganlab.core.objectives import OBJECTIVES

    for name, objective in OBJECTIVES.items():
        print(f"{name:<20} {objective.summary}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from ganlab import __version__

    parser = _Parser(
        prog="ganlab",
        description="A playground for generative adversarial networks. With no command, "
        "opens the app.",
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"ganlab {__version__}")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)
    train = commands.add_parser(
        "train", help="train without a window and write the results", allow_abbrev=False
    )
    _add_train_options(train)
    train.set_defaults(handler=_command_train)
    sample = commands.add_parser("sample", help="draw samples from an exported generator")
    sample.add_argument("generator", type=Path, help="generator .safetensors, .json or stem")
    sample.add_argument("--n", type=int, default=2500, help="how many samples (default: 2500)")
    sample.add_argument("--out", type=Path, required=True, help="FILE.npy or FILE.csv")
    sample.add_argument("--seed", type=int, default=None, help="latent noise seed")
    sample.set_defaults(handler=_command_sample)
    onnx = commands.add_parser("onnx", help="convert an exported generator to ONNX")
    onnx.add_argument("generator", type=Path, help="generator .safetensors, .json or stem")
    onnx.add_argument("--out", type=Path, required=True, help="FILE.onnx")
    onnx.set_defaults(handler=_command_onnx)
    commands.add_parser("targets", help="list the targets").set_defaults(handler=_command_targets)
    commands.add_parser("objectives", help="list the objectives").set_defaults(
        handler=_command_objectives
    )
    from ganlab.evaluate_command import add_parser as add_evaluate_parser

    add_evaluate_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    import multiprocessing

    multiprocessing.freeze_support()  # an installed (frozen) app starts its training process
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from ganlab.app.main import run_app

        return run_app([])
    return _run_handled(args.handler, args)


def _run_handled(handler, args) -> int:
    from ganlab.core.config import ConfigError
    from ganlab.core.devices import DeviceUnavailableError
    from ganlab.core.export import GeneratorFileError
    from ganlab.core.headless import TrainingDivergedError
    from ganlab.core.run_folder import RunWriteError
    from ganlab.core.session_file import SessionFileError
    from ganlab.core.targets import PointsFileError

    try:
        return handler(args)
    except (
        UsageError,
        ConfigError,
        PointsFileError,
        DeviceUnavailableError,
        GeneratorFileError,
        SessionFileError,
    ) as error:
        print(f"ganlab: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (TrainingDivergedError, RunWriteError) as error:
        print(f"ganlab: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("ganlab: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
