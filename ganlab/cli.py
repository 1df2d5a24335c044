"""The `ganlab` command: the app with no arguments; `train`, `sample`, `targets`, `objectives`.

Bad input gets one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from ganlab.cli_errors import UsageError
from ganlab.cli_train import (  # noqa: F401  (the train command; its helpers stay importable here)
    DEFAULT_OUT,
    _add_train_options,
    _command_train,
    apply_paper_defaults,
    config_from_args,
    read_config_file,
)

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1


class _Parser(argparse.ArgumentParser):
    """argparse, but an error is one line (no usage block) and exit code 2."""

    def error(self, message: str):
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


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
    inputs = f"z: n × {generator.latent_dim}"
    if getattr(generator, "num_classes", 0):
        inputs += f", labels: n int64 in 0..{generator.num_classes - 1}"
    output = ("x: n × " + " × ".join(map(str, generator.shape)) + " in [0, 1]"
              if generator.data_kind == "images" else "x in data coordinates")
    print(f"wrote {args.out} (inputs {inputs}; output {output})")
    return 0


def _command_targets(args) -> int:
    from ganlab.core.targets import IMAGE_TARGETS, TARGETS

    for name, factory in TARGETS.items():
        target = factory()
        print(f"{name:<18} {target.dim}D      {target.description}")
    for name, (description, _) in IMAGE_TARGETS.items():
        print(f"{name:<18} images  {description}; --resolution N")
    print(f"{'custom':<18} any     your own points (--points-file FILE.csv|.npy) or images "
          "(--images FOLDER|IDX|.npz|.npy)")
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
    parser.add_argument("--self-test", action="store_true",
                        help="check the whole app without a person (offscreen window, training "
                        "process, views, sessions, export) and exit 0, or 1 naming the failed "
                        "step")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)
    train = commands.add_parser(
        "train", help="train without a window and write the results", allow_abbrev=False
    )
    _add_train_options(train)
    train.set_defaults(handler=_command_train)
    from ganlab.sample_command import add_parser as add_sample_parser

    add_sample_parser(commands)
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
    from ganlab.study_command import add_parser as add_study_parser

    add_study_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    import multiprocessing

    multiprocessing.freeze_support()  # an installed (frozen) app starts its training process
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not (sys.argv[1:] if argv is None else argv):  # the app, at once: the commands' options
        from ganlab.app.main import run_app  # read the engine (torch), which the window never needs

        return run_app([])
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.self_test and args.command is not None:
        parser.error("--self-test takes no command")
    if args.command is None:
        from ganlab.app.main import run_app

        return run_app([], self_test=args.self_test)
    return _run_handled(args.handler, args)


def _run_handled(handler, args) -> int:
    from ganlab.core.config import ConfigError
    from ganlab.core.devices import DeviceUnavailableError
    from ganlab.core.export import GeneratorFileError
    from ganlab.core.headless import TrainingDivergedError
    from ganlab.core.images import ImageFileError
    from ganlab.core.run_folder import RunWriteError
    from ganlab.core.session_file import SessionFileError
    from ganlab.core.targets import PointsFileError

    try:
        return handler(args)
    except (
        UsageError,
        ConfigError,
        PointsFileError,
        ImageFileError,
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
