"""Hostile and careless input against every reader of ganlab: session files, exported
generators, points files and command-line arguments.

Each case prepares its files in a folder of its own and runs one `ganlab` command in a child
process, then sorts the outcome into one of:

- clear error: a non-zero exit, no traceback, stderr is one line, and it names the file or the
  option at fault;
- accepted: exit 0 for a case that is legitimately usable (only cases marked `may_succeed`);
- unclear: a non-zero exit without a traceback, but with more than one line, without the
  file's or option's name, or repeating the file's content;
- wrongly accepted: exit 0 for input that must be refused;
- traceback: "Traceback (most recent call last)" on stderr;
- crash: the child was killed by a signal (segmentation fault, abort, out of memory);
- hang: still running at the time limit (then killed).

Peak memory is the child's maximum resident set, from `os.wait4`; every child runs under a 3 GB
address-space cap, so an unbounded read fails inside the child instead of exhausting the machine.
Cases that run over an existing run folder or file check afterwards that every protected file is
byte-identical (or, where the case asks for a replacement, that the folder holds one whole run).

    python benchmarks/hostile_inputs.py              # every case, a table at the end
    python benchmarks/hostile_inputs.py --only points --verbose
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import resource
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

TIME_LIMIT_S = 90
MEMORY_GOAL_BYTES = 1024**3  # for any input under 10 MB
# every child runs under this address-space cap, so that an unbounded read ends in the child
# (as a MemoryError traceback or a crash, counted as such) instead of taking the machine down
ADDRESS_SPACE_CAP_BYTES = 3 * 1024**3
GANLAB = [sys.executable, "-c", "import sys; from ganlab.cli import main; sys.exit(main())"]
TINY_RUN = ["--target", "ring8", "--iterations", "6", "--evaluations", "1", "--samples", "50",
            "--g-layers", "1", "--g-width", "8", "--d-layers", "1", "--d-width", "8",
            "--batch-size", "32", "--device", "cpu", "--quiet"]


@dataclass
class Case:
    family: str  # session | generator | points | arguments
    name: str
    prepare: Callable[[Path, Path], list[str]]  # (case folder, base run) -> ganlab arguments
    must_name: str | None = None  # text the error line must contain (a file or option name)
    may_succeed: bool = False  # a legitimately usable input: exit 0 is fine
    protected: tuple[str, ...] = ()  # files (relative to the case folder) that must survive
    replaced_run: str | None = None  # a run folder the case may replace, but only wholly
    never_quote: str | None = None  # text of the file that the message must not repeat


@dataclass
class Outcome:
    case: Case
    kind: str
    seconds: float
    peak_bytes: int
    input_bytes: int
    stderr: str
    files_damaged: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------- building blocks


def make_base_run(folder: Path) -> Path:
    """A tiny trained run (session, generator, config, metrics) that the cases mutate."""
    run = folder / "base"
    subprocess.run([*GANLAB, "train", *TINY_RUN, "--out", str(run)], check=True,
                   capture_output=True, timeout=300)
    return run


def read_session(base: Path) -> tuple[dict, bytes]:
    with zipfile.ZipFile(base / "session.ganlab") as archive:
        return json.loads(archive.read("session.json")), archive.read("tensors.safetensors")


def write_session(path: Path, metadata: dict | bytes, tensors: bytes,
                  data: bytes | None = None) -> None:
    raw = metadata if isinstance(metadata, bytes) else json.dumps(metadata).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("session.json", raw)
        archive.writestr("tensors.safetensors", tensors)
        if data is not None:
            archive.writestr("data.safetensors", data)


def points_session_case(name: str, n: int, version: int = 2, declared: int | None = None,
                        wrong_hash: bool = False, member: bool = True,
                        may_succeed: bool = False) -> Case:
    """The base session turned into a custom target of n points (all (0.5, 0.5) but one, so
    the file is small): format 1 embeds them in the JSON, format 2 in data.safetensors (whose
    header may declare `declared` points instead, or whose points may not match the hash)."""
    def prepare(folder: Path, base: Path) -> list[str]:
        metadata, tensors = read_session(base)
        points = np.full((n, 2), 0.5)
        points[0] = (-0.5, 1.5)
        target = metadata["config"]["target"]
        target.update(name="custom", points_file=None)
        data = None
        metadata["version"] = version
        if version == 1:
            target.pop("data", None)
            target.pop("labels", None)
            for key in ("images", "resolution"):
                target.pop(key, None)
            target["points"] = points.tolist()
        else:
            from ganlab.core.data_store import content_reference

            target["data"] = content_reference(points)
            if wrong_hash:
                points[1] = (0.25, 0.25)
            body = points.tobytes()
            shape = [declared if declared is not None else n, 2]
            if member:
                data = pack_safetensors({"points": ("F64", shape, body)})
        write_session(folder / "bad.ganlab", metadata, tensors, data)
        return ["train", "--resume", str(folder / "bad.ganlab"), "--iterations", "12",
                "--out", str(folder / "out"), "--quiet"]

    return Case("session", name, prepare, must_name="bad.ganlab", may_succeed=may_succeed)


def split_safetensors(raw: bytes) -> tuple[dict, bytes]:
    (length,) = struct.unpack("<Q", raw[:8])
    return json.loads(raw[8 : 8 + length]), raw[8 + length :]


def join_safetensors(header: dict, body: bytes) -> bytes:
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + body


def replace_tensor(raw: bytes, name: str, dtype: str, shape: list[int], data: bytes) -> bytes:
    """A well-formed safetensors file with one tensor replaced (or added)."""
    header, body = split_safetensors(raw)
    header.pop("__metadata__", None)
    tensors = {key: (entry["dtype"], entry["shape"],
                     body[entry["data_offsets"][0] : entry["data_offsets"][1]])
               for key, entry in header.items()}
    tensors[name] = (dtype, shape, data)
    return pack_safetensors(tensors)


def pack_safetensors(tensors: dict[str, tuple[str, list[int], bytes]]) -> bytes:
    header, body = {}, b""
    for key, (dtype, shape, data) in sorted(tensors.items()):
        header[key] = {"dtype": dtype, "shape": shape,
                       "data_offsets": [len(body), len(body) + len(data)]}
        body += data
    return join_safetensors(header, body)


def first_key(raw: bytes, ending: str) -> str:
    header, _ = split_safetensors(raw)
    return next(k for k in sorted(header) if k.endswith(ending))


def session_case(name: str, mutate: Callable[[dict, bytes], tuple[dict | bytes, bytes]]) -> Case:
    def prepare(folder: Path, base: Path) -> list[str]:
        metadata, tensors = read_session(base)
        new_metadata, new_tensors = mutate(metadata, tensors)
        write_session(folder / "bad.ganlab", new_metadata, new_tensors)
        return ["train", "--resume", str(folder / "bad.ganlab"), "--iterations", "12",
                "--out", str(folder / "out"), "--quiet"]

    return Case("session", name, prepare, must_name="bad.ganlab")


def raw_session_case(name: str, content: Callable[[Path], None], filename="bad.ganlab") -> Case:
    def prepare(folder: Path, base: Path) -> list[str]:
        content(folder / filename)
        return ["train", "--resume", str(folder / filename), "--iterations", "12",
                "--out", str(folder / "out"), "--quiet"]

    return Case("session", name, prepare, must_name=filename)


def generator_case(name: str, mutate: Callable[[dict, bytes], tuple[dict | bytes, bytes | None]],
                   command: str = "sample") -> Case:
    def prepare(folder: Path, base: Path) -> list[str]:
        description = json.loads((base / "generator.json").read_text())
        weights = (base / "generator.safetensors").read_bytes()
        new_description, new_weights = mutate(description, weights)
        raw = (new_description if isinstance(new_description, bytes)
               else json.dumps(new_description).encode())
        (folder / "gen.json").write_bytes(raw)
        if new_weights is not None:
            (folder / "gen.safetensors").write_bytes(new_weights)
        out = "x.npy" if command == "sample" else "x.onnx"
        return [command, str(folder / "gen"), "--out", str(folder / out)]

    return Case("generator", name, prepare, must_name="gen")


def points_case(name: str, filename: str, content: Callable[[Path], None] | bytes,
                may_succeed: bool = False, never_quote: str | None = None) -> Case:
    def prepare(folder: Path, base: Path) -> list[str]:
        path = folder / filename
        if callable(content):
            content(path)
        else:
            path.write_bytes(content)
        return ["train", "--points-file", str(path), *TINY_RUN[2:], "--out", str(folder / "out")]

    return Case("points", name, prepare, must_name=filename, may_succeed=may_succeed,
                never_quote=never_quote)


def argument_case(name: str, arguments: list[str] | Callable[[Path, Path], list[str]],
                  must_name: str | None, **options) -> Case:
    def prepare(folder: Path, base: Path) -> list[str]:
        return arguments(folder, base) if callable(arguments) else list(arguments)

    return Case("arguments", name, prepare, must_name=must_name, **options)


def config_case(name: str, filename: str, write: Callable[[Path], None],
                must_name: str | None = None) -> Case:
    def prepare(folder: Path, base: Path) -> list[str]:
        write(folder / filename)
        return ["train", *TINY_RUN, "--config", str(folder / filename),
                "--out", str(folder / "out")]

    return Case("arguments", name, prepare, must_name=must_name or filename)


def deep_json(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def with_config(change: Callable[[dict], None]) -> Callable[[dict, bytes], tuple[dict, bytes]]:
    def mutate(metadata: dict, tensors: bytes):
        change(metadata["config"])
        return metadata, tensors
    return mutate


def with_metadata(change: Callable[[dict], None]) -> Callable[[dict, bytes], tuple[dict, bytes]]:
    def mutate(metadata: dict, tensors: bytes):
        change(metadata)
        return metadata, tensors
    return mutate


def with_param_group(key: str, value, role: str = "discriminator"):
    def change(metadata: dict):
        metadata["optimizers"][role]["param_groups"][0][key] = value
    return with_metadata(change)


def with_tensor(ending: str, dtype: str, shape: list[int], data: bytes):
    def mutate(metadata: dict, tensors: bytes):
        return metadata, replace_tensor(tensors, first_key(tensors, ending), dtype, shape, data)
    return mutate


def zip_bomb(path: Path, unpacked_bytes: int = 4 * 1024**3) -> None:
    """A valid session.json and a tensors member that unpacks to `unpacked_bytes` of zeros."""
    metadata = {"format": "ganlab-session", "version": 1, "config": {}, "counters": {
        "iteration": 0, "critic_updates": 0, "generator_updates": 0}, "optimizers": {}}
    chunk = bytes(16 * 1024**2)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("session.json", json.dumps(metadata))
        with archive.open("tensors.safetensors", "w", force_zip64=True) as member:
            for _ in range(unpacked_bytes // len(chunk)):
                member.write(chunk)


def npy_with_header(shape: tuple, descr: str = "<f8", data: bytes = b"\0" * 64) -> bytes:
    header = repr({"descr": descr, "fortran_order": False, "shape": shape}).encode()
    header += b" " * (-(len(header) + 11) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + data


def npy_bytes(array: np.ndarray) -> bytes:
    import io

    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def ring_points(n: int = 200) -> np.ndarray:
    angle = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return np.stack([np.cos(angle), np.sin(angle)], axis=1)


def long_csv(rows: int) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        line = b"0.5,0.25\n"
        block = line * 100_000
        with path.open("wb") as stream:
            for _ in range(rows // 100_000):
                stream.write(block)
    return write


def make_fifo(path: Path) -> None:
    os.mkfifo(path)


def symlink_to(target: str) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        path.symlink_to(target)
    return make


# ---------------------------------------------------------------------------- the cases


def session_cases() -> list[Case]:
    f32 = "F32"
    cases = [
        session_case("Adam exp_avg with 1 element", with_tensor("/exp_avg", f32, [1], bytes(4))),
        session_case("Adam exp_avg empty", with_tensor("/exp_avg", f32, [0], b"")),
        session_case("Adam exp_avg_sq with 1 element",
                     with_tensor("exp_avg_sq", f32, [1], bytes(4))),
        session_case("Adam step of shape [3]", with_tensor("/step", f32, [3], bytes(12))),
        session_case("Adam moment as float64", lambda m, t: (m, replace_tensor(
            t, first_key(t, "/exp_avg"), "F64", *_shape_and_zeros(t, "/exp_avg", 8)))),
        session_case("Adam moment as int32", lambda m, t: (m, replace_tensor(
            t, first_key(t, "/exp_avg"), "I32", *_shape_and_zeros(t, "/exp_avg", 4)))),
        session_case("weight of the wrong shape", with_tensor("weight", f32, [3, 3], bytes(36))),
        session_case("weight missing", lambda m, t: (m, _drop_tensor(t, "weight"))),
        session_case("NaN weights", lambda m, t: (m, _fill_tensor(t, "weight", np.nan))),
        session_case("random state truncated", with_tensor("rng/training", "U8", [3], bytes(3))),
        session_case("eps is text", with_param_group("eps", "abc")),
        session_case("weight_decay is text", with_param_group("weight_decay", "abc")),
        session_case("capturable true", with_param_group("capturable", True)),
        session_case("lr negative", with_param_group("lr", -1.0)),
        session_case("betas of length 3", with_param_group("betas", [0.5, 0.9, 0.1])),
        session_case("param_groups empty", with_metadata(
            lambda m: m["optimizers"]["generator"].__setitem__("param_groups", []))),
        session_case("optimizer state from SGD", with_metadata(
            lambda m: m["optimizers"]["generator"]["param_groups"][0].update(
                {"momentum": 0.9, "dampening": 0, "nesterov": False}))),
        session_case("counters negative", with_metadata(
            lambda m: m["counters"].__setitem__("iteration", -5))),
        session_case("counters huge", with_metadata(
            lambda m: m["counters"].__setitem__("iteration", 10**30))),
        session_case("5,000-digit integer", lambda m, t: (
            json.dumps(m).replace('"iteration": ', '"iteration": ' + "9" * 5000, 1).encode(), t)),
        session_case("JSON nested 100,000 deep", lambda m, t: (
            json.dumps(m)[:-1].encode() + b', "extra": ' + deep_json(100_000) + b"}", t)),
        session_case("history rows not objects", with_metadata(
            lambda m: m.__setitem__("history", [1, "two", [3]]))),
        session_case("history rows with text values", with_metadata(
            lambda m: m.__setitem__("history", [{"iteration": "x", "js": "y"}]))),
        session_case("device tpu", with_metadata(lambda m: m["config"]["training"].__setitem__(
            "device", "tpu"))),
        session_case("latent 1e9", with_config(
            lambda c: c["model"].__setitem__("latent_dim", 10**9))),
        session_case("width 30,000", with_config(
            lambda c: c["model"]["generator"].__setitem__("width", 30_000))),
        session_case("points file /dev/zero", with_config(lambda c: c["target"].update(
            {"name": "custom", "points_file": "/dev/zero", "points": None}))),
        session_case("points list ragged", with_config(lambda c: c["target"].update(
            {"name": "custom", "points": [[1, 2], [3]], "points_file": None}))),
        session_case("format foreign", with_metadata(lambda m: m.__setitem__("format", "zip"))),
        session_case("version -1", with_metadata(lambda m: m.__setitem__("version", -1))),
        session_case("version true", with_metadata(lambda m: m.__setitem__("version", True))),
        session_case("version 99", with_metadata(lambda m: m.__setitem__("version", 99))),
        session_case("tensors member garbage", lambda m, t: (m, os.urandom(4096))),
        session_case("safetensors header length huge", lambda m, t: (
            m, struct.pack("<Q", 2**62) + t[8:])),
        session_case("session.json not UTF-8", lambda m, t: (b"\xff\xfe\x00garbage", t)),
        points_session_case("format 1: 5,000,000 points in the JSON", 5_000_000, version=1),
        points_session_case("format 1: 1,000,000 points in the JSON", 1_000_000, version=1,
                            may_succeed=True),
        points_session_case("format 2: 5,000,000 points beside the weights", 5_000_000,
                            may_succeed=True),
        points_session_case("format 2: points that do not match their hash", 1000,
                            wrong_hash=True),
        points_session_case("format 2: data header declaring 10^12 points", 1000,
                            declared=10**12),
        points_session_case("format 2: custom target without its data", 1000, member=False),
        raw_session_case("zip bomb (4 GiB tensors member)", zip_bomb),
        raw_session_case("empty file", lambda p: p.write_bytes(b"")),
        raw_session_case("random bytes", lambda p: p.write_bytes(os.urandom(10_000))),
        raw_session_case("truncated archive", lambda p: _truncated_copy(p)),
        raw_session_case("a folder", lambda p: p.mkdir()),
        raw_session_case("a FIFO", make_fifo),
        raw_session_case("link to /dev/zero", symlink_to("/dev/zero")),
        raw_session_case("no such file", lambda p: None),
    ]
    return cases


_BASE_SESSION: Path | None = None  # set by main(): the base run's session, for copies


def _truncated_copy(path: Path) -> None:
    raw = (_BASE_SESSION / "session.ganlab").read_bytes()
    path.write_bytes(raw[: len(raw) // 2])


def _shape_and_zeros(raw: bytes, ending: str, itemsize: int) -> tuple[list[int], bytes]:
    header, _ = split_safetensors(raw)
    shape = header[first_key(raw, ending)]["shape"]
    return shape, bytes(int(np.prod(shape)) * itemsize)


def _drop_tensor(raw: bytes, ending: str) -> bytes:
    header, body = split_safetensors(raw)
    header.pop("__metadata__", None)
    dropped = first_key(raw, ending)
    return pack_safetensors({
        key: (entry["dtype"], entry["shape"],
              body[entry["data_offsets"][0] : entry["data_offsets"][1]])
        for key, entry in header.items() if key != dropped})


def _fill_tensor(raw: bytes, ending: str, value: float) -> bytes:
    header, _ = split_safetensors(raw)
    shape = header[first_key(raw, ending)]["shape"]
    data = np.full(shape, value, dtype="<f4").tobytes()
    return replace_tensor(raw, first_key(raw, ending), "F32", shape, data)


def generator_cases() -> list[Case]:
    def arch(**changes):
        def mutate(description: dict, weights: bytes):
            description["architecture"].update(changes)
            return description, weights
        return mutate

    def top(**changes):
        def mutate(description: dict, weights: bytes):
            description.update(changes)
            return description, weights
        return mutate

    def no_weights(**changes):
        def mutate(description: dict, weights: bytes):
            description["architecture"].update(changes)
            return description, None
        return mutate

    def weights(transform: Callable[[bytes], bytes]):
        return lambda description, raw: (description, transform(raw))

    return [
        generator_case("width 30,000 and no weights", no_weights(width=30_000)),
        generator_case("width 100,000", arch(width=100_000)),
        generator_case("width 10,000,000", arch(width=10_000_000)),
        generator_case("latent 1e9", arch(latent_dim=10**9)),
        generator_case("1e6 hidden layers", arch(hidden_layers=10**6)),
        generator_case("negative width", arch(width=-3)),
        generator_case("width as text", arch(width="128")),
        generator_case("width true", arch(width=True)),
        generator_case("data_dim 0", arch(data_dim=0)),
        generator_case("unknown activation", arch(activation="rm -rf")),
        generator_case("unknown type", arch(type="transformer")),
        generator_case("version -1", top(version=-1)),
        generator_case("version true", top(version=True)),
        generator_case("version 99", top(version=99)),
        generator_case("format foreign", top(format="something")),
        generator_case("scale of zero", top(scaling={"shift": [0, 0], "scale": [0, 0]})),
        generator_case("scale NaN as a string", top(scaling={"shift": [0, 0],
                                                             "scale": ["NaN", 1]})),
        generator_case("shift of the wrong length", top(scaling={"shift": [0, 0, 0],
                                                                 "scale": [1, 1]})),
        generator_case("no weights file", lambda d, w: (d, None)),
        generator_case("weights header length huge", weights(
            lambda raw: struct.pack("<Q", 2**62) + raw[8:])),
        generator_case("weights garbage", weights(lambda raw: os.urandom(2048))),
        generator_case("weights truncated", weights(lambda raw: raw[: len(raw) // 2])),
        generator_case("weight of the wrong shape", weights(
            lambda raw: replace_tensor(raw, first_key(raw, "weight"), "F32", [2, 2],
                                       bytes(16)))),
        generator_case("NaN weights", weights(lambda raw: _fill_tensor(raw, "weight", np.nan))),
        generator_case("5,000-digit integer", lambda d, w: (
            json.dumps(d).replace('"version": 1', '"version": 1' + "0" * 5000).encode(), w)),
        generator_case("JSON nested 100,000 deep", lambda d, w: (deep_json(100_000), w)),
        generator_case("description is a list", lambda d, w: (b"[1, 2, 3]", w)),
        generator_case("description not UTF-8", lambda d, w: (b"\xff\xfe{}", w)),
        generator_case("to ONNX: width 10,000,000", arch(width=10_000_000), command="onnx"),
    ]


def points_cases() -> list[Case]:
    ring = ring_points()
    return [
        points_case("/dev/zero", "zero.csv", symlink_to("/dev/zero")),
        points_case("a FIFO", "fifo.csv", make_fifo),
        points_case("npy header claims (1e12, 2)", "huge.npy", npy_with_header((10**12, 2))),
        points_case("npy header claims (-1, 2)", "neg.npy", npy_with_header((-1, 2))),
        points_case("npy header not a dict", "nodict.npy",
                    b"\x93NUMPY\x01\x00\x10\x00" + b"[1, 2, 3]      \n"),
        points_case("npy of objects (pickle)", "objects.npy",
                    npy_bytes(np.array([object(), 1], dtype=object)[:1].repeat(3))),
        points_case("npy complex", "complex.npy", npy_bytes(ring.astype(np.complex128))),
        points_case("npy structured", "structured.npy", npy_bytes(
            np.zeros(10, dtype=[("x", "f8"), ("y", "f8")]))),
        points_case("npy strings", "strings.npy", npy_bytes(np.array([["a", "b"]] * 10))),
        points_case("npy 3 columns", "three.npy", npy_bytes(np.zeros((10, 3)))),
        points_case("npy 3 dimensions", "cube.npy", npy_bytes(np.zeros((4, 4, 2)))),
        points_case("npy with NaN", "nan.npy", npy_bytes(np.where(ring > 0.9, np.nan, ring))),
        points_case("npy with inf", "inf.npy", npy_bytes(np.where(ring > 0.9, np.inf, ring))),
        points_case("npy of 1e308", "big.npy", npy_bytes(ring * 1e308)),
        points_case("npy of one point", "one.npy", npy_bytes(ring[:1])),
        points_case("npy all one point", "same.npy", npy_bytes(np.ones((100, 2)))),
        points_case("npz archive", "archive.npy", lambda p: np.savez(p.with_suffix(".npz"),
                                                                   a=ring) or
                    p.with_suffix(".npz").rename(p)),
        points_case("10 million rows", "long.csv", long_csv(10_000_000)),
        points_case("CSV of a password file", "passwd.csv",
                    b"root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin\n",
                    never_quote="root:x"),
        points_case("CSV with text values", "text.csv", b"x,y\n1,2\nfoo,bar\n3,4\n"),
        points_case("CSV ragged rows", "ragged.csv", b"1,2\n3\n4,5,6\n"),
        points_case("CSV of 1e400", "overflow.csv", b"1e400,1\n2,3\n4,5\n"),
        points_case("CSV one line of 50 MB", "wide.csv", b"1," * 25_000_000 + b"1\n"),
        points_case("CSV binary junk", "junk.csv", os.urandom(50_000)),
        points_case("CSV in UTF-16", "utf16.csv", "x,y\n1,2\n3,4\n5,6\n".encode("utf-16")),
        points_case("empty file", "empty.csv", b""),
        points_case("only a header", "header.csv", b"x,y\n"),
        points_case("a folder", "folder.csv", lambda p: p.mkdir()),
        points_case("no such file", "missing.csv", lambda p: None),
        points_case("good CSV with a header", "good.csv",
                    b"x,y\n" + b"".join(f"{x},{y}\n".encode() for x, y in ring),
                    may_succeed=True),
    ]


def argument_cases() -> list[Case]:
    train = ["train", *TINY_RUN]

    def out(folder: Path, *more: str) -> list[str]:
        return [*train, "--out", str(folder / "out"), *more]

    def read_only_dir(folder: Path) -> Path:
        place = folder / "readonly"
        place.mkdir()
        place.chmod(stat.S_IRUSR | stat.S_IXUSR)
        return place

    def existing_run(folder: Path, base: Path) -> Path:
        run = folder / "run"
        shutil.copytree(base, run)
        return run

    def generator(base: Path) -> str:
        return str(base / "generator")

    protected_run = ("run/metrics.json", "run/config.json", "run/samples.npy",
                     "run/session.ganlab", "run/generator.json", "run/generator.safetensors")
    root_can_write_anywhere = os.geteuid() == 0
    return [
        argument_case("--threads 100000", lambda f, b: out(f, "--threads", "100000"),
                      "--threads"),
        argument_case("--threads -1", lambda f, b: out(f, "--threads", "-1"), "--threads"),
        argument_case("--samples 2e9", lambda f, b: out(f, "--samples", "2000000000"),
                      "--samples"),
        argument_case("--samples 0", lambda f, b: out(f, "--samples", "0"), "--samples"),
        argument_case("--evaluations 10**9", lambda f, b: out(f, "--evaluations", "1000000000"),
                      "--evaluations"),
        argument_case("--iterations -1", lambda f, b: out(f, "--iterations", "-1"), "iterations"),
        argument_case("--iterations 10**20", lambda f, b: out(f, "--iterations", "1" + "0" * 20),
                      "iterations"),
        argument_case("--batch-size 0", lambda f, b: out(f, "--batch-size", "0"), "batch"),
        argument_case("--d-lr nan", lambda f, b: out(f, "--d-lr", "nan"), "learning_rate"),
        argument_case("--d-lr inf", lambda f, b: out(f, "--d-lr", "inf"), "learning_rate"),
        argument_case("--g-lr -1", lambda f, b: out(f, "--g-lr", "-1"), "learning_rate"),
        argument_case("--latent-dim 1e9", lambda f, b: out(f, "--latent-dim", "1000000000"),
                      "latent_dim"),
        argument_case("--g-width 1e9", lambda f, b: out(f, "--g-width", "1000000000"), "width"),
        argument_case("--seed -1", lambda f, b: out(f, "--seed", "-1"), "seed"),
        argument_case("--seed 2**70", lambda f, b: out(f, "--seed", str(2**70)), "seed"),
        argument_case("--device empty", lambda f, b: out(f, "--device", ""), "device"),
        argument_case("--device cpu:5", lambda f, b: out(f, "--device", "cpu:5"), "cpu:5"),
        argument_case("--device tpu", lambda f, b: out(f, "--device", "tpu"), "tpu"),
        argument_case("--device cuda:99", lambda f, b: out(f, "--device", "cuda:99"), "cuda"),
        argument_case("--target unknown", lambda f, b: out(f, "--target", "moon"), "target"),
        argument_case("--out is a file", lambda f, b: (f.joinpath("file").write_text("x"),
                                                       [*train, "--out", str(f / "file")])[1],
                      "file", protected=("file",)),
        argument_case("--out under a file", lambda f, b: (f.joinpath("file").write_text("x"),
                                                          [*train, "--out",
                                                           str(f / "file" / "run")])[1],
                      "file", protected=("file",)),
        argument_case("--out read-only", lambda f, b: [*train, "--out",
                                                       str(read_only_dir(f) / "run")],
                      "readonly", may_succeed=root_can_write_anywhere),
        argument_case("--out in /proc", lambda f, b: [*train, "--out", "/proc/ganlab-run"],
                      "/proc"),
        argument_case("--out on an existing run", lambda f, b: (
            existing_run(f, b), [*train, "--out", str(f / "run")])[1], "run",
            protected=protected_run),
        argument_case("--out on an existing run, --overwrite", lambda f, b: (
            existing_run(f, b), [*train, "--out", str(f / "run"), "--overwrite"])[1], None,
            may_succeed=True, replaced_run="run"),
        argument_case("--config missing", lambda f, b: [*train, "--config", str(f / "no.json")],
                      "no.json"),
        config_case("--config /dev/zero", "zero.json", symlink_to("/dev/zero")),
        config_case("--config deep JSON", "deep.json",
                    lambda p: p.write_bytes(deep_json(100_000))),
        config_case("--config a list", "list.json", lambda p: p.write_text("[1, 2]")),
        config_case("--config unknown field", "unknown.json",
                    lambda p: p.write_text('{"model": {"depth": 3}}'), must_name="depth"),
        argument_case("--resume a folder", lambda f, b: [
            "train", "--resume", str(b), "--iterations", "10", "--out", str(f / "out")],
            "base"),
        argument_case("--resume with a changed option", lambda f, b: [
            "train", "--resume", str(b / "session.ganlab"), "--iterations", "10", "--d-lr",
            "0.1", "--out", str(f / "out")], "--d-lr"),
        argument_case("sample --n 1e10", lambda f, b: [
            "sample", generator(b), "--n", "10000000000", "--out", str(f / "x.npy")], "--n"),
        argument_case("sample --n 0", lambda f, b: [
            "sample", generator(b), "--n", "0", "--out", str(f / "x.npy")], "--n"),
        argument_case("sample --out read-only", lambda f, b: [
            "sample", generator(b), "--out", str(read_only_dir(f) / "x.npy")], "readonly",
            may_succeed=root_can_write_anywhere),
        argument_case("sample --out a folder", lambda f, b: (
            f.joinpath("folder.npy").mkdir(),
            ["sample", generator(b), "--out", str(f / "folder.npy")])[1], "folder.npy"),
        argument_case("sample --out .txt", lambda f, b: [
            "sample", generator(b), "--out", str(f / "x.txt")], "x.txt"),
        argument_case("sample RUN_FOLDER", lambda f, b: [
            "sample", str(b), "--out", str(f / "x.npy")], "generator", may_succeed=True),
        argument_case("sample a missing generator", lambda f, b: [
            "sample", str(f / "nothing"), "--out", str(f / "x.npy")], "nothing"),
        argument_case("unknown command", ["frobnicate"], "frobnicate"),
        argument_case("unknown option", ["train", "--frobnicate"], "--frobnicate"),
    ]


def all_cases() -> list[Case]:
    return [*session_cases(), *generator_cases(), *points_cases(), *argument_cases()]


# ---------------------------------------------------------------------------- running


def tree_digest(root: Path) -> dict[str, str]:
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()}


def input_size(folder: Path) -> int:
    total = 0
    for path in folder.rglob("*"):
        with contextlib.suppress(OSError):
            info = path.lstat()
            if stat.S_ISREG(info.st_mode):
                total += info.st_size
    return total


def run_case(case: Case, folder: Path, base: Path) -> Outcome:
    folder.mkdir(parents=True)
    argv = case.prepare(folder, base)
    before = {name: tree_digest(folder / name) if (folder / name).is_dir()
              else tree_digest(folder).get(name) for name in case.protected}
    size = input_size(folder)
    env = {**os.environ, "GANLAB_DATA_DIR": str(folder / "data"), "QT_QPA_PLATFORM": "offscreen"}
    start = time.perf_counter()
    with tempfile.TemporaryFile() as stderr_file:
        child = subprocess.Popen([*GANLAB, *argv], stdout=subprocess.DEVNULL,
                                 stderr=stderr_file, stdin=subprocess.DEVNULL, env=env,
                                 cwd=folder, start_new_session=True,
                                 preexec_fn=_cap_address_space)
        status, usage = _wait(child, TIME_LIMIT_S)
        seconds = time.perf_counter() - start
        stderr_file.seek(0)
        stderr = stderr_file.read().decode("utf-8", "replace")
    peak = usage.ru_maxrss * 1024 if usage is not None else 0
    kind = classify(case, status, stderr)
    damaged = [name for name, digest in before.items()
               if (tree_digest(folder / name) if (folder / name).is_dir()
                   else tree_digest(folder).get(name)) != digest]
    if case.replaced_run is not None:
        damaged += whole_run_problems(folder / case.replaced_run, base)
    _make_writable(folder)
    return Outcome(case, kind, seconds, peak, size, stderr, damaged)


def _cap_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_CAP_BYTES, ADDRESS_SPACE_CAP_BYTES))


def _wait(child: subprocess.Popen, limit_s: float):
    """(status, resource usage) of the child; None status when it had to be killed."""
    deadline = time.monotonic() + limit_s
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            child.returncode = os.waitstatus_to_exitcode(status)
            return child.returncode, usage
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
            _, status, usage = os.wait4(child.pid, 0)
            child.returncode = -9
            return None, usage
        time.sleep(0.05)


def classify(case: Case, status: int | None, stderr: str) -> str:
    if status is None:
        return "hang"
    if "Traceback (most recent call last)" in stderr:
        return "traceback"
    if status < 0:
        return "crash"
    lines = [line for line in stderr.splitlines() if line.strip()]
    if status == 0:
        return "accepted" if case.may_succeed else "wrongly accepted"
    named = case.must_name is None or any(case.must_name in line for line in lines)
    if case.never_quote is not None and case.never_quote in stderr:
        return "unclear"
    return "clear error" if len(lines) == 1 and named else "unclear"


def whole_run_problems(run: Path, base: Path) -> list[str]:
    """A replaced run folder must hold a whole run: every file of the base run, readable."""
    problems = [f"{run.name}/{name} missing" for name in tree_digest(base)
                if not (run / name).exists()]
    with contextlib.suppress(FileNotFoundError):
        try:
            json.loads((run / "metrics.json").read_text())
        except ValueError:
            problems.append(f"{run.name}/metrics.json is not JSON")
    leftovers = [p.name for p in run.parent.iterdir() if p.name.startswith(".") and
                 run.name in p.name]
    problems += [f"left behind: {name}" for name in leftovers]
    return problems


def _make_writable(folder: Path) -> None:
    for path in folder.rglob("*"):
        with contextlib.suppress(OSError):
            if path.is_dir() and not path.is_symlink():
                path.chmod(stat.S_IRWXU)


# ---------------------------------------------------------------------------- the report


KINDS = ("clear error", "accepted", "unclear", "wrongly accepted", "traceback", "crash", "hang")


def report(outcomes: list[Outcome]) -> str:
    lines = ["| inputs | cases | clear errors | accepted (valid input) | unclear | wrongly "
             "accepted | tracebacks | crashes | hangs | peak memory (largest) | files lost "
             "or corrupted |", "|---" * 11 + "|"]
    families = sorted({o.case.family for o in outcomes}, key=["session", "generator", "points",
                                                             "arguments"].index)
    for family in [*families, "all"]:
        chosen = [o for o in outcomes if family in ("all", o.case.family)]
        counts = Counter(o.kind for o in chosen)
        peak = max(o.peak_bytes for o in chosen)
        damaged = sum(len(o.files_damaged) for o in chosen)
        lines.append(f"| {family} | {len(chosen)} | " + " | ".join(
            str(counts[k]) for k in KINDS) + f" | {peak / 2**20:.0f} MB | {damaged} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    global _BASE_SESSION
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run the cases whose family or name contains this")
    parser.add_argument("--verbose", action="store_true", help="print every case's stderr")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="ganlab-hostile-"))
    try:
        base = make_base_run(scratch)
        _BASE_SESSION = base
        cases = [c for c in all_cases() if not args.only or args.only in c.family
                 or args.only in c.name]
        outcomes = []
        for number, case in enumerate(cases):
            outcome = run_case(case, scratch / f"case{number:03d}", base)
            outcomes.append(outcome)
            flag = "" if outcome.kind in ("clear error", "accepted") else "   <-- "
            last = (outcome.stderr.strip().splitlines() or [""])[-1][:150]
            damaged = ("damaged: " + ", ".join(outcome.files_damaged)
                       if outcome.files_damaged else "")
            print(f"{case.family:9} {case.name[:42]:42} {outcome.kind:16} "
                  f"{outcome.peak_bytes / 2**20:6.0f} MB {outcome.seconds:5.1f} s "
                  f"{damaged}{flag}{last}", flush=True)
            if args.verbose:
                print("    " + outcome.stderr.strip().replace("\n", "\n    "))
        print()
        print(report(outcomes))
        large = [o for o in outcomes if o.input_bytes < 10 * 2**20
                 and o.peak_bytes > MEMORY_GOAL_BYTES]
        for o in large:
            print(f"over 1 GB on an input under 10 MB: {o.case.family} / {o.case.name} "
                  f"({o.peak_bytes / 2**30:.2f} GB)")
        bad = [o for o in outcomes if o.kind not in ("clear error", "accepted")
               or o.files_damaged]
        return 1 if bad or large else 0
    finally:
        if args.keep:
            print(f"scratch folder: {scratch}")
        else:
            _make_writable(scratch)
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
