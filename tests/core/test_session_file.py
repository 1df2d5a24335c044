import io
import json
import zipfile

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ganlab.core import session_file
from ganlab.core.atomic_file import atomic_write
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
