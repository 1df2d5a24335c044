import contextlib
import io
import json
import os
import re
import subprocess
import sys
import zipfile

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from safetensors.torch import load as safetensors_load
from safetensors.torch import save as safetensors_save

from ganlab.core import session_file, session_reading
from ganlab.core.atomic_file import atomic_write
from ganlab.core.data_store import DATA, content_reference
from ganlab.core.session_file import (
    Session,
    SessionFileError,
    load_session,
    save_session,
)
from ganlab.core.targets import PointCloud
from ganlab.core.trainer import Trainer


def _weights(trainer):
    return [p.detach().clone() for net in (trainer.generator, trainer.discriminator)
            for p in net.parameters()]


@pytest.mark.parametrize(
    ("objective", "optimizer"),
    [("non-saturating", "adam"), ("wgan-gp", "rmsprop"), ("hinge", "sgd"), ("mmd", "adam")],
)
def test_resumed_session_gives_the_numbers_of_the_uninterrupted_run(
    tmp_path, small_config, objective, optimizer
):
    small_config.objective.name = objective
    small_config.discriminator_optimizer.name = optimizer
    small_config.discriminator_optimizer.momentum = 0.5 if optimizer != "adam" else 0.0
    small_config.training.lr_schedule = "cosine"
    small_config.training.iterations = 20
    uninterrupted = Trainer(small_config)
    uninterrupted.train(5)
    path = save_session(Session(uninterrupted, history=[{"iteration": 5, "js": 0.3}],
                                extra={"layers": ["real"]}), tmp_path / "run.ganlab")
    uninterrupted.train(6)
    session = load_session(path)
    resumed = session.trainer
    assert resumed.iteration == 5 and session.history == [{"iteration": 5, "js": 0.3}]
    assert session.extra == {"layers": ["real"]}
    resumed.train(6)
    assert resumed.iteration == 11
    assert all(torch.equal(a, b) for a, b in zip(_weights(uninterrupted), _weights(resumed),
                                                 strict=True))
    assert np.array_equal(uninterrupted.sample(50), resumed.sample(50))


def test_points_travel_inside_the_session(tmp_path, small_config):
    points_file = tmp_path / "points.csv"
    points_file.write_text("0,0\n1,0\n0,1\n1,1\n")
    small_config.target.name = "custom"
    small_config.target.points_file = str(points_file)
    trainer = Trainer(small_config)
    trainer.train(2)
    path = save_session(Session(trainer), tmp_path / "s.ganlab")
    points_file.unlink()
    restored = load_session(path).trainer
    assert isinstance(restored.target, PointCloud)
    assert restored.target.points.tolist() == [[0, 0], [1, 0], [0, 1], [1, 1]]


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path, small_config):
    path = tmp_path / "s.ganlab"
    trainer = Trainer(small_config)
    save_session(Session(trainer), path)
    before = path.read_bytes()

    def crash(stream):
        stream.write(b"half a file")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(path, crash)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.ganlab"]


def test_crash_while_saving_a_session_leaves_the_last_good_file(tmp_path, small_config,
                                                                monkeypatch):
    path = tmp_path / "s.ganlab"
    trainer = Trainer(small_config)
    save_session(Session(trainer), path)
    trainer.train(3)

    def explode(*args, **kwargs):
        raise KeyboardInterrupt  # as abrupt as it gets inside Python

    monkeypatch.setattr(session_file.zipfile.ZipFile, "writestr", explode)
    with pytest.raises(KeyboardInterrupt):
        save_session(Session(trainer), path)
    monkeypatch.undo()
    assert load_session(path).trainer.iteration == 0
    assert [p.name for p in tmp_path.iterdir()] == ["s.ganlab"]


def _zip(members: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def good_session(tmp_path, small_config):
    trainer = Trainer(small_config)
    trainer.train(1)
    return save_session(Session(trainer), tmp_path / "good.ganlab")


def _members(path):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _with_metadata(path, change):
    members = _members(path)
    metadata = json.loads(members["session.json"])
    change(metadata)
    members["session.json"] = json.dumps(metadata)
    return _zip(members)


def test_bad_session_files_are_refused_with_the_reason(tmp_path, good_session):
    cases = {
        "empty.ganlab": b"",
        "png.ganlab": b"\x89PNG\r\n\x1a\n" + bytes(100),
        "truncated.ganlab": good_session.read_bytes()[:300],
        "foreign.ganlab": _zip({"readme.txt": b"hello"}),
        "no-tensors.ganlab": _zip({"session.json": _members(good_session)["session.json"]}),
        "bad-json.ganlab": _zip({"session.json": b"{", "tensors.safetensors": b""}),
        "other-format.ganlab": _with_metadata(good_session, lambda m: m.update(format="x")),
        "newer.ganlab": _with_metadata(good_session, lambda m: m.update(version=7)),
        "no-version.ganlab": _with_metadata(good_session, lambda m: m.pop("version")),
        "bad-config.ganlab": _with_metadata(
            good_session, lambda m: m["config"]["training"].update(batch_size=-4)),
        "bad-counters.ganlab": _with_metadata(
            good_session, lambda m: m["counters"].update(iteration="many")),
        "shape-mismatch.ganlab": _with_metadata(
            good_session, lambda m: m["config"]["model"]["generator"].update(width=3)),
        "bad-tensors.ganlab": _zip({"session.json": _members(good_session)["session.json"],
                                    "tensors.safetensors": b"\x00" * 64}),
    }
    expected = {
        "empty": "not a zip", "png": "not a zip", "truncated": "not a zip",
        "foreign": "no session.json", "no-tensors": "incomplete",
        "bad-json": "not valid JSON", "other-format": "another format",
        "newer": "newer ganlab", "no-version": "no valid format version",
        "bad-config": "configuration is invalid", "bad-counters": "counters are damaged",
        "shape-mismatch": "do not match", "bad-tensors": "tensors are damaged",
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(SessionFileError) as info:
            load_session(path)
        message = str(info.value)
        assert str(path) in message
        assert expected[name.removesuffix(".ganlab")] in message, message
    with pytest.raises(SessionFileError, match="no such file"):
        load_session(tmp_path / "missing.ganlab")
    with pytest.raises(SessionFileError, match="is a folder"):
        load_session(tmp_path)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_are_refused_cleanly(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "x.ganlab"
    path.write_bytes(data)
    with pytest.raises(SessionFileError):
        load_session(path)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 255)), min_size=1,
                      max_size=4))
def test_corrupted_sessions_load_or_fail_cleanly(tmp_path_factory, flips):
    folder = tmp_path_factory.mktemp("corrupt")
    source = folder / "good.ganlab"
    if not source.exists():
        from ganlab.core.config import RunConfig

        small = RunConfig()
        small.model.generator.width = small.model.discriminator.width = 8
        save_session(Session(Trainer(small)), source)
    data = bytearray(source.read_bytes())
    for position, value in flips:
        data[position % len(data)] ^= value
    path = folder / "bad.ganlab"
    path.write_bytes(bytes(data))
    try:
        session = load_session(path)
    except SessionFileError as error:
        assert "bad.ganlab" in str(error)
    else:
        assert session.trainer.iteration >= 0


def test_non_finite_history_values_are_saved_as_null(tmp_path, small_config):
    history = [{"iteration": 1, "js": float("nan"), "reverse_kl": float("inf"), "pair": (1, 2)}]
    path = save_session(Session(Trainer(small_config), history=history), tmp_path / "s.ganlab")
    assert load_session(path).history == [
        {"iteration": 1, "js": None, "reverse_kl": None, "pair": [1, 2]}
    ]


# ---------------------------------------------------------------- crafted sessions (issue 11)

def _rebuild(path, out, metadata_change=None, tensors_change=None):
    """A copy of session `path` at `out` with its JSON and/or tensors changed in place."""
    members = _members(path)
    metadata = json.loads(members["session.json"])
    tensors = safetensors_load(members["tensors.safetensors"])
    if metadata_change:
        metadata_change(metadata)
    if tensors_change:
        tensors_change(tensors)
    members["session.json"] = json.dumps(metadata).encode()
    members["tensors.safetensors"] = safetensors_save(tensors)
    out.write_bytes(_zip(members))
    return out


def _adam_groups(metadata):
    return metadata["optimizers"]["generator"]["param_groups"][0]


def _set(tensors, name, value):
    tensors[name] = value


CRAFTED_TENSORS = {
    "one-element moment": ("generator_optimizer/0/exp_avg", torch.zeros(1),
                           "'generator_optimizer/0/exp_avg' as F32 [1], expected F32 [16, 2]"),
    "empty moment": ("generator_optimizer/2/exp_avg_sq", torch.zeros(0),
                     "'generator_optimizer/2/exp_avg_sq' as F32 [0], expected F32 [16, 16]"),
    "float64 moment": ("discriminator_optimizer/1/exp_avg", torch.zeros(16, dtype=torch.float64),
                       "as F64 [16], expected F32 [16]"),
    "step of shape [3]": ("generator_optimizer/0/step", torch.zeros(3),
                          "'generator_optimizer/0/step' as F32 [3], expected F32 []"),
    "weights of another shape": ("generator/0.weight", torch.zeros(2, 16),
                                 "'generator/0.weight' as F32 [2, 16], expected F32 [16, 2]"),
    "unknown tensor": ("generator_optimizer/0/momentum_buffer_x", torch.zeros(1),
                       "unexpected tensor"),
    "state of a parameter that does not exist": ("generator_optimizer/99/exp_avg", torch.zeros(1),
                                                 "unexpected tensor"),
    "NaN moment": ("generator_optimizer/1/exp_avg", torch.full((16,), float("nan")),
                   "generator: optimizer state 1/exp_avg is not finite"),
    "negative step": ("generator_optimizer/1/step", torch.tensor(-5.0),
                      "optimizer state 1/step is negative"),
    "infinite weights": ("discriminator/body.0.bias", torch.full((16,), float("inf")),
                         "weights are not finite (discriminator/body.0.bias)"),
    "short random state": ("rng/training", torch.zeros(3, dtype=torch.uint8),
                           "'rng/training' as U8 [3], expected U8 [5056]"),
    "LeCam anchors of another shape": ("lecam_anchors", torch.zeros(3),
                                       "'lecam_anchors' as F32 [3], expected F32 [2]"),
    "NaN LeCam anchors": ("lecam_anchors", torch.tensor([0.5, float("nan")]),
                          "not finite (lecam_anchors)"),
}


@pytest.mark.parametrize("case", CRAFTED_TENSORS)
def test_crafted_tensors_are_refused_before_anything_runs(tmp_path, good_session, case):
    name, value, fragment = CRAFTED_TENSORS[case]
    path = _rebuild(good_session, tmp_path / "crafted.ganlab",
                    tensors_change=lambda t: _set(t, name, value))
    with pytest.raises(SessionFileError) as info:
        load_session(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert fragment in message, message


def _drop(tensors, name):
    del tensors[name]


CRAFTED_SETTINGS = {
    "eps text": (lambda m: _adam_groups(m).update(eps="abc"),
                 "optimizer setting eps = 'abc', expected 1e-08"),
    "weight_decay text": (lambda m: _adam_groups(m).update(weight_decay="abc"),
                          "optimizer setting weight_decay = 'abc', expected 0"),
    "capturable": (lambda m: _adam_groups(m).update(capturable=True),
                   "optimizer setting capturable = True, expected False"),
    "amsgrad": (lambda m: _adam_groups(m).update(amsgrad=True), "amsgrad = True"),
    "lr text": (lambda m: _adam_groups(m).update(lr="fast"), "lr = 'fast' is out of range"),
    "betas above 1": (lambda m: _adam_groups(m).update(betas=[2, 0.9]), "betas = [2, 0.9]"),
    "parameters renumbered": (lambda m: _adam_groups(m).update(params=[0, 1, 2, 3, 4, 99]),
                              "params = [0, 1, 2, 3, 4, 99]"),
    "a setting missing": (lambda m: _adam_groups(m).pop("eps"), "are not those of adam"),
    "sgd settings for adam": (
        lambda m: m["optimizers"]["generator"].update(param_groups=[{
            "lr": 0.001, "momentum": 0, "dampening": 0, "weight_decay": 0, "nesterov": False,
            "maximize": False, "foreach": None, "differentiable": False, "fused": None,
            "params": [0, 1, 2, 3, 4, 5]}]),
        "not those of adam"),
    "two groups": (lambda m: m["optimizers"]["generator"]["param_groups"].append({}),
                   "parameter groups do not match"),
    "state index text": (lambda m: m["optimizers"]["generator"]["state"].update(x={}),
                         "damaged optimizer state entry 'x'"),
    "plain value in state": (
        lambda m: m["optimizers"]["generator"]["state"]["0"].update(extra=1),
        "optimizer state of parameter 0 holds exp_avg, exp_avg_sq, extra, step"),
    "no optimizer": (lambda m: m["optimizers"].pop("discriminator"),
                     "discriminator: the optimizer state is incomplete"),
}


@pytest.mark.parametrize("case", CRAFTED_SETTINGS)
def test_crafted_optimizer_settings_are_refused(tmp_path, good_session, case):
    change, fragment = CRAFTED_SETTINGS[case]
    path = _rebuild(good_session, tmp_path / "crafted.ganlab", metadata_change=change)
    with pytest.raises(SessionFileError) as info:
        load_session(path)
    message = str(info.value)
    assert message.startswith(f"{path}: the saved networks or optimizer state do not match")
    assert fragment in message, message


def test_a_partial_optimizer_state_is_refused(tmp_path, good_session):
    path = _rebuild(good_session, tmp_path / "partial.ganlab",
                    tensors_change=lambda t: _drop(t, "generator_optimizer/3/exp_avg_sq"))
    with pytest.raises(SessionFileError, match="parameter 3 holds exp_avg, step; expected "
                                               "exp_avg, exp_avg_sq, step"):
        load_session(path)


def test_optimizer_state_changed_live_still_loads(tmp_path, small_config):
    # momentum switched off after SGD made its buffers, RMSProp's switched on later: both are
    # states the app writes, and both must load and go on training
    small_config.generator_optimizer.name = "sgd"
    small_config.generator_optimizer.momentum = 0.5
    small_config.discriminator_optimizer.name = "rmsprop"
    trainer = Trainer(small_config)
    trainer.train(2)
    changed = trainer.config.copy()
    changed.generator_optimizer.momentum = 0.0
    changed.discriminator_optimizer.momentum = 0.9
    trainer.apply_config(changed)
    trainer.train(2)
    session = load_session(save_session(Session(trainer), tmp_path / "live.ganlab"))
    session.trainer.train(2)
    assert session.trainer.iteration == 6 and session.trainer.parameters_are_finite()


CHILD_LOAD = """
import resource, sys
from ganlab.core.config import RunConfig
from ganlab.core.session_file import SessionFileError, load_session
from ganlab.core.trainer import Trainer
Trainer(RunConfig())  # warm: what any first load allocates anyway
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
for path in sys.argv[1:]:
    try:
        trainer = load_session(path).trainer
    except SessionFileError as error:
        print("refused:", error, flush=True)
    else:
        trainer.train(3)  # before the checks, the fused Adam kernel wrote out of bounds here
        print("trained:", path, flush=True)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print("peak growth (KiB):", after - before)
"""


def _bomb(good_session, out, member, megabytes):
    """`good_session` with `member` padded by `megabytes` of zeros: a few hundred KiB on disk."""
    members = _members(good_session)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in members.items():
            if name != member:
                archive.writestr(name, data)
        with archive.open(member, "w", force_zip64=True) as stream:
            if member == "session.json":
                stream.write(b'{"format": "ganlab-session", "version": 1, "pad": "')
            else:  # a header that matches, so that only the size can give it away
                stream.write(members[member])
            for _ in range(megabytes):
                stream.write(bytes(1 << 20))
    return out


@pytest.fixture(scope="module")
def crashing_files_in_a_child(tmp_path_factory):
    """Crafted sessions loaded (and, if they load, trained) in one child process: a crash
    there is a failed test here, not a dead test run. Returns (paths, output lines, peak
    memory growth in bytes)."""
    folder = tmp_path_factory.mktemp("child")
    trainer = Trainer(_small())
    trainer.train(1)
    good = save_session(Session(trainer), folder / "good.ganlab")
    paths = {
        "segfault": _rebuild(good, folder / "segv.ganlab", tensors_change=lambda t: t.update({
            "generator_optimizer/0/exp_avg": torch.zeros(1),
            "generator_optimizer/0/exp_avg_sq": torch.zeros(0),
        })),
        "tensors bomb": _bomb(good, folder / "tensors-bomb.ganlab", "tensors.safetensors", 300),
        "good": good,
    }
    child = subprocess.run([sys.executable, "-c", CHILD_LOAD, *map(str, paths.values())],
                           capture_output=True, text=True, timeout=300)
    assert child.returncode == 0, (child.returncode, child.stdout, child.stderr[-2000:])
    lines = child.stdout.splitlines()
    growth = int(lines[-1].split()[-1]) * (1 if sys.platform == "darwin" else 1024)
    return paths, dict(zip(paths, lines[:-1], strict=True)), growth


def _small():
    from ganlab.core.config import RunConfig

    config = RunConfig()
    config.model.generator.width = config.model.discriminator.width = 16
    config.model.generator.hidden_layers = config.model.discriminator.hidden_layers = 2
    config.training.batch_size = 64
    config.training.device = "cpu"
    return config


def test_session_that_crashed_the_process_is_refused(crashing_files_in_a_child):
    paths, lines, _ = crashing_files_in_a_child
    assert lines["segfault"] == (
        f"refused: {paths['segfault']}: the saved networks or optimizer state do not match the "
        "saved configuration (tensors.safetensors has tensor 'generator_optimizer/0/exp_avg' as "
        "F32 [1], expected F32 [16, 2])"
    )
    assert lines["good"] == f"trained: {paths['good']}"


@pytest.mark.skipif(sys.platform == "win32", reason="resource is POSIX")
def test_zip_bombs_are_refused_without_unpacking(crashing_files_in_a_child):
    paths, lines, growth = crashing_files_in_a_child
    assert paths["tensors bomb"].stat().st_size < 2_000_000
    prefix = f"refused: {paths['tensors bomb']}: tensors.safetensors unpacks to "
    assert lines["tensors bomb"].startswith(prefix)
    declared, bound = re.findall(r"([\d,]+) bytes, more than the ([\d,]+) it can plausibly hold",
                                 lines["tensors bomb"])[0]
    assert int(declared.replace(",", "")) > 300 * 2**20
    assert int(bound.replace(",", "")) < 100_000  # 2×16 networks, their Adam state and a header
    assert growth < 50 * 2**20, growth  # the member was never unpacked


def test_session_json_is_bounded_too(tmp_path, good_session, monkeypatch):
    monkeypatch.setattr(session_reading, "MAX_METADATA_BYTES", 2**20)
    path = _bomb(good_session, tmp_path / "json-bomb.ganlab", "session.json", 8)
    with pytest.raises(SessionFileError) as info:
        load_session(path)
    assert re.fullmatch(re.escape(f"{path}: session.json unpacks to ") + r"8,388,\d{3} bytes, "
                        "more than the 1,048,576 it can plausibly hold", str(info.value))


def test_huge_and_deep_json_is_refused(tmp_path, good_session):
    members = _members(good_session)
    cases = {
        "deep": b'{"format": "ganlab-session", "extra": ' + b"[" * 100_000 + b"]" * 100_000
        + b"}",
        "digits": members["session.json"].replace(b'"iteration": 1', b'"iteration": '
                                                  + b"7" * 5000, 1),
        "nan": members["session.json"].replace(b'"iteration": 1', b'"iteration": NaN', 1),
    }
    expected = {"deep": "session.json is nested more than 64 levels deep",
                "digits": "session.json holds a number longer than 100 characters",
                "nan": "session.json holds NaN, which is not a JSON number"}
    for name, metadata in cases.items():
        path = tmp_path / f"{name}.ganlab"
        path.write_bytes(_zip({**members, "session.json": metadata}))
        with pytest.raises(SessionFileError) as info:
            load_session(path)
        assert str(info.value) == f"{path}: {expected[name]}"


@pytest.mark.parametrize(("history", "fragment"), [
    ([1, 2], "row 1 is not an object"),
    ({"iteration": 1}, "not a list of rows"),
    ([{"iteration": 5}, {"iteration": "late"}], "row 2 has iteration 'late'"),
    ([{"iteration": -1}], "row 1 has iteration '-1'"),
    ([{"iteration": 1, "js": {"nested": 1}}], "row 1 has a dict for 'js'"),
    ([{"run": 0, "series": "js", "x": [1, 2], "y": [[1]]}], "row 1 has a list for 'y'"),
])
def test_damaged_history_is_refused_at_load(tmp_path, good_session, history, fragment):
    path = _rebuild(good_session, tmp_path / "history.ganlab",
                    metadata_change=lambda m: m.update(history=history))
    with pytest.raises(SessionFileError, match="the saved history is damaged") as info:
        load_session(path)
    assert fragment in str(info.value)


def test_chart_history_rows_of_the_app_load(tmp_path, small_config):
    rows = [{"run": 0, "series": "js", "x": [10, 20], "y": [0.5, None]},
            {"iteration": 20, "js": 0.5, "w1": None}]
    path = save_session(Session(Trainer(small_config), history=rows), tmp_path / "s.ganlab")
    assert load_session(path).history == rows


def test_session_never_makes_ganlab_read_a_path(tmp_path, good_session):
    def named_file(metadata):
        metadata["config"]["target"].update(name="custom", data=None, points_file="/dev/zero")

    path = _rebuild(good_session, tmp_path / "named.ganlab", metadata_change=named_file)
    with pytest.raises(SessionFileError, match="names a points file instead of carrying"):
        load_session(path)


def test_counters_and_devices_are_bounded(tmp_path, good_session):
    path = _rebuild(good_session, tmp_path / "c.ganlab",
                    metadata_change=lambda m: m["counters"].update(iteration=2**64))
    with pytest.raises(SessionFileError, match="counters are damaged"):
        load_session(path)
    path = _rebuild(good_session, tmp_path / "d.ganlab",
                    metadata_change=lambda m: m["config"]["training"].update(device="tpu"))
    with pytest.raises(SessionFileError, match=r"d\.ganlab: the saved device cannot be used"):
        load_session(path)


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs are POSIX")
def test_a_fifo_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "pipe.ganlab"
    os.mkfifo(fifo)
    with pytest.raises(SessionFileError, match="is not a regular file"):
        load_session(fifo)


# ---------------------------------------------------------------- structured fuzzing

_TENSOR_VALUES = st.sampled_from([
    torch.zeros(0), torch.zeros(1), torch.zeros(3), torch.zeros(16), torch.zeros(16, 2),
    torch.zeros(2, 16), torch.zeros(16, 16), torch.zeros(16, dtype=torch.float64),
    torch.zeros(16, dtype=torch.uint8), torch.tensor(0.0), torch.tensor(-1.0),
    torch.full((16,), float("nan")), torch.zeros(5056, dtype=torch.uint8),
])
_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4),
                                                                      children, max_size=3),
    max_leaves=6,
)


def _fuzz_source(folder):
    source = folder / "good.ganlab"
    if not source.exists():
        from ganlab.core.config import RunConfig

        small = RunConfig()
        small.model.generator.width = small.model.discriminator.width = 8
        small.model.generator.hidden_layers = small.model.discriminator.hidden_layers = 1
        small.training.batch_size = 32
        small.training.device = "cpu"
        trainer = Trainer(small)
        trainer.train(1)
        save_session(Session(trainer), source)
    return source


def _json_paths(value, prefix=()):
    """Every (path) inside a JSON value: the places a mutation can go."""
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _json_paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _json_paths(child, (*prefix, index))


def _set_path(document, path, value):
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_sessions_are_refused_or_train(tmp_path_factory, data):
    """Replace tensors (other shapes, dtypes, values), JSON values anywhere (settings, config,
    counters, history) and drop entries: every result loads and trains, or is refused in one
    line naming the file."""
    folder = tmp_path_factory.mktemp("mutate")
    source = _fuzz_source(folder)
    names = sorted(safetensors_load(_members(source)["tensors.safetensors"]))
    metadata_paths = [p for p in _json_paths(json.loads(_members(source)["session.json"])) if p]
    mutations = data.draw(st.lists(st.one_of(
        st.tuples(st.just("tensor"), st.sampled_from(names), _TENSOR_VALUES),
        st.tuples(st.just("drop"), st.sampled_from(names), st.none()),
        st.tuples(st.just("json"), st.sampled_from(metadata_paths), _JSON_VALUES),
    ), min_size=1, max_size=3))

    def change_tensors(tensors):
        for kind, name, value in mutations:
            if kind == "tensor":
                tensors[name] = value.clone()
            elif kind == "drop":
                tensors.pop(name, None)

    def change_metadata(metadata):
        for kind, where, value in mutations:
            if kind == "json":
                with contextlib.suppress(KeyError, IndexError, TypeError):
                    _set_path(metadata, where, value)  # unless an earlier one removed it

    path = _rebuild(source, folder / "mutated.ganlab", change_metadata, change_tensors)
    try:
        session = load_session(path)
    except SessionFileError as error:
        assert str(error).startswith(f"{path}: ") and "\n" not in str(error)
    else:
        session.trainer.train(2)
        assert session.trainer.iteration >= 2


def test_random_state_of_another_device_type_is_bounded_then_replaced(tmp_path, good_session):
    moved = _rebuild(good_session, tmp_path / "cuda.ganlab",
                     metadata_change=lambda m: m.update(device_type="cuda"),
                     tensors_change=lambda t: t.update({
                         "rng/training": torch.zeros(16, dtype=torch.uint8),
                         "rng/evaluation": torch.zeros(16, dtype=torch.uint8)}))
    trainer = load_session(moved).trainer  # a CUDA state means nothing here: reseeded
    assert trainer.rng.get_state().shape == (5056,)
    trainer.train(1)
    huge = _rebuild(good_session, tmp_path / "huge.ganlab",
                    metadata_change=lambda m: m.update(device_type="cuda"),
                    tensors_change=lambda t: t.update({
                        "rng/training": torch.zeros(2**17, dtype=torch.uint8)}))
    with pytest.raises(SessionFileError, match=r"'rng/training' as U8 \[131072\], expected U8"):
        load_session(huge)


@pytest.fixture
def painted_session(tmp_path, small_config):
    points = np.random.default_rng(5).normal(size=(40, 2)).round(4)
    small_config.target.name = "custom"
    small_config.target.data = DATA.put(points)
    trainer = Trainer(small_config)
    trainer.train(2)
    return save_session(Session(trainer), tmp_path / "painted.ganlab"), points


def test_points_sit_beside_the_weights_and_the_config_names_them_by_hash(painted_session):
    path, points = painted_session
    members = _members(path)
    assert "data.safetensors" in members
    saved = json.loads(members["session.json"])
    assert saved["version"] == 2
    assert saved["config"]["target"]["data"] == content_reference(points)
    assert "points" not in saved["config"]["target"]
    restored = load_session(path).trainer
    np.testing.assert_array_equal(restored.target.points, points)


def test_points_that_do_not_match_their_hash_are_refused(painted_session, tmp_path):
    path, points = painted_session
    members = _members(path)
    members["data.safetensors"] = safetensors_save({"points": torch.from_numpy(points + 1.0)})
    out = tmp_path / "swapped.ganlab"
    out.write_bytes(_zip(members))
    with pytest.raises(SessionFileError, match="do not match the reference"):
        load_session(out)
    del members["data.safetensors"]
    out.write_bytes(_zip(members))
    with pytest.raises(SessionFileError, match=r"has no data\.safetensors"):
        load_session(out)


@pytest.mark.parametrize(("tensors", "message"), [
    ({"points": torch.zeros(3, 3, dtype=torch.float64)}, "expected float64"),
    ({"points": torch.zeros(3, 2)}, "dtype F32"),
    ({"points": torch.zeros(3, 2, dtype=torch.float64), "more": torch.zeros(1)},
     "must hold exactly the tensors"),
])
def test_a_damaged_data_member_names_the_file(painted_session, tmp_path, tensors, message):
    path, _ = painted_session
    members = _members(path)
    members["data.safetensors"] = safetensors_save(tensors)
    out = tmp_path / "damaged.ganlab"
    out.write_bytes(_zip(members))
    with pytest.raises(SessionFileError, match=f"^{out}: .*{message}"):
        load_session(out)


def test_a_format_1_session_with_points_in_its_json_still_opens(painted_session, tmp_path):
    path, points = painted_session
    members = _members(path)
    metadata = json.loads(members.pop("data.safetensors") and members["session.json"])
    metadata["version"] = 1
    target = metadata["config"]["target"]
    del target["data"]
    target["points"] = points.tolist()
    members["session.json"] = json.dumps(metadata).encode()
    out = tmp_path / "old.ganlab"
    out.write_bytes(_zip(members))
    restored = load_session(out).trainer
    np.testing.assert_array_equal(restored.target.points, points)
    assert restored.config.target.data == content_reference(points)
