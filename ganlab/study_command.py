"""`ganlab study`: a grid of runs (objectives × seeds × settings × budgets), its report.

    ganlab study --target ring8 --objectives minimax,wgan-gp --seeds 5 --iterations 3000 \\
                 --set d_lr=1e-4,1e-3 --out studies/x
    ganlab study my_study.toml            # the same fields in a file (`ganlab.study.study_file`)
    ganlab study --report studies/x       # render the report again

Running the same command again resumes the study. Bad input is a `UsageError` (one line, exit
code 2); a study whose runs crashed still ends with its report, and exit code 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ganlab.cli_errors import UsageError

EXIT_RUNS_CRASHED = 1


def add_parser(subcommands) -> argparse.ArgumentParser:
    """Add the `study` subcommand to an argparse subparsers object."""
    parser = subcommands.add_parser(
        "study", help="run a grid of runs (objectives × seeds × settings × budgets) and report",
        description=__doc__.splitlines()[0], allow_abbrev=False)
    add = parser.add_argument
    add("file", nargs="?", type=Path, help="a study file (.toml); the options below override it")
    add("--target", metavar="NAME", help="a target of the catalogue (`ganlab targets`)")
    add("--points-file", metavar="FILE",
        help="your own points (CSV or NPY) instead of a catalogue target")
    add("--objectives", metavar="A,B|all",
        help="comma-separated objectives, or all (default: the recipe's)")
    add("--seeds", metavar="N|S1,S2",
        help="how many seeds (5: seeds 0..4), or a list: 0,3,7 (default: 1)")
    add("--iterations", metavar="N[,N]",
        help="budget(s) in iterations: 3000 or 1000,3000 (default: the "
        "recipe's)")
    add("--set", action="append", default=[], metavar="NAME=V[,V...]",
        help="a setting by its train option without dashes (d_lr, g_width, critic_steps): one "
        "value fixes it, several make an axis; repeatable")
    add("--config", metavar="FILE",
        help="a config.json every run starts from (instead of the recipe)")
    add("--paper-defaults", action="store_true", default=None,
        help="each objective with its paper's optimizer values")
    add("--evaluations", type=int, metavar="N", help="evaluations along each run (default: 5)")
    add("--samples", type=int, metavar="N",
        help="samples of each run's final evaluation (default: 2500)")
    add("--out", type=Path, metavar="FOLDER",
        help="the study folder (required unless the file names one)")
    add("--workers", type=int, default=None, metavar="N",
        help="local processes, one run each (default: one per core)")
    add("--ray", metavar="ADDRESS", default=None,
        help="run on Ray instead: auto (the cluster this machine belongs to), an address "
        "(ray://host:10001), or local (start Ray here); needs ganlab[ray]")
    add("--no-batch", dest="batch", action="store_false",
        help="one run per process; by default runs of one small network shape (at most "
        "64 wide) that differ only in seed and learning rates train as one batched model "
        "(the same numbers, several times the throughput)")
    add("--retry-crashed", action="store_true", help="run again the runs recorded as crashed")
    add("--report", type=Path, metavar="FOLDER", help="only render FOLDER's report again")
    add("--quiet", "-q", action="store_true", help="no progress bar")
    parser.set_defaults(handler=run_study_command)
    return parser


def run_study_command(args) -> int:
    """The handler: run (or resume) the study and write its report; print a summary."""
    from ganlab.study.grid import StudySpecError
    from ganlab.study.study_folder import StudyFolderError

    try:
        if args.report is not None:
            return _report_only(args)
        spec, out = _spec_and_out(args)
        return _run(args, spec, out)
    except (StudySpecError, StudyFolderError) as error:
        raise UsageError(str(error)) from None


def _report_only(args) -> int:
    from ganlab.study.report import write_report

    given = [k for k in ("file", "target", "points_file", "objectives", "seeds", "iterations",
                         "config", "evaluations", "samples", "out", "ray", "workers")
             if getattr(args, k) is not None] + (["set"] if args.set else [])
    if given:
        raise UsageError(f"--report only renders a finished folder; --{given[0]} cannot be "
                         "given with it")
    if not (args.report / "study.json").is_file():
        raise UsageError(f"--report {args.report}: not a study folder (no study.json)")
    path = write_report(args.report)
    sys.stdout.write(f"wrote {path}, {path.parent / 'runs.csv'} and the plots\n")
    return 0


def _spec_and_out(args):
    """The study's description (the file's fields, the options laid over them) and folder."""
    from ganlab.study.grid import StudySpecError, parse_value, setting_leaf
    from ganlab.study.study_file import read_study_file, spec_from_fields

    fields = read_study_file(args.file) if args.file is not None else {}
    source = str(args.file) if args.file is not None else "ganlab study"
    if args.target is not None or args.points_file is not None:
        fields.pop("target", None)
        fields.pop("points_file", None)
    for key in ("target", "points_file", "config", "paper_defaults", "evaluations", "samples"):
        if getattr(args, key) is not None:
            fields[key] = getattr(args, key)
    if args.objectives is not None:
        fields["objectives"] = ("all" if args.objectives.strip() == "all"
                                else _words(args.objectives))
    if args.seeds is not None:
        seeds = [_whole(w, "--seeds") for w in _words(args.seeds)]
        fields["seeds"] = seeds if "," in args.seeds else seeds[0]
    if args.iterations is not None:
        fields["iterations"] = [_whole(w, "--iterations") for w in _words(args.iterations)]
    settings = fields.get("settings", {})
    if not isinstance(settings, dict):
        spec_from_fields(fields, source)  # raises: settings must be a table (names the file)
    settings = dict(settings)
    for item in args.set:
        name, sep, values = item.partition("=")
        if not sep or not values.strip():
            raise UsageError(f"--set {item!r}: expected NAME=VALUE or NAME=V1,V2")
        try:
            leaf = setting_leaf(name)
        except StudySpecError as error:
            raise UsageError(f"--set {error}") from None
        for existing in list(settings):  # the option replaces the file's value
            try:
                if setting_leaf(existing).path == leaf.path:
                    del settings[existing]
            except StudySpecError:
                continue  # reported with the file's name below
        settings[name.strip()] = [parse_value(leaf, w) for w in _words(values)]
    fields["settings"] = settings
    out = args.out if args.out is not None else fields.get("out")
    if out is None:
        raise UsageError("ganlab study: give --out FOLDER (or `out` in the study file)")
    fields.pop("out", None)
    return spec_from_fields(fields, source), Path(out)


def _words(text: str) -> list[str]:
    return [w.strip() for w in text.split(",") if w.strip()]


def _whole(word: str, option: str) -> int:
    try:
        return int(word)
    except ValueError:
        raise UsageError(f"{option} {word!r}: expected whole numbers") from None


def _run(args, spec, out: Path) -> int:
    from ganlab.cli_errors import check_range
    from ganlab.study.local_pool import WorkerLostError
    from ganlab.study.ray_pool import RayUnavailableError
    from ganlab.study.runner import run_study

    if args.workers is not None:
        check_range("--workers", args.workers, 1, 1024)
    try:
        summary = run_study(spec, out, workers=args.workers, ray_address=args.ray,
                            retry_crashed=args.retry_crashed, progress=not args.quiet,
                            batching=args.batch)
    except RayUnavailableError as error:
        raise UsageError(str(error)) from None
    except WorkerLostError as error:
        sys.stderr.write(f"ganlab: {error}; run the same command again to continue\n")
        return EXIT_RUNS_CRASHED
    ended = summary.ended
    ran = sum(ended.values())
    line = (f"{summary.total} runs: {summary.skipped} already done, {ran} ran in "
            f"{summary.seconds:.1f} s ({summary.runs_per_minute:.1f} runs/min): "
            f"{ended['finished']} finished, {ended['diverged']} diverged, "
            f"{ended['crashed']} crashed")
    sys.stdout.write(f"{line}\nreport in {out / 'report.md'}\n")
    for run_id, reason in summary.crashes:
        sys.stderr.write(f"ganlab: run {run_id} crashed: {reason}\n")
    return EXIT_RUNS_CRASHED if summary.crashes else 0
