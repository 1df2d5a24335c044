import json
import os
import sys

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from safetensors.torch import load_file, save

import ganlab
from ganlab.core.export import GeneratorFileError, export_generator, load_generator
from ganlab.core.trainer import Trainer


@pytest.fixture
def exported(tmp_path, small_config):
    small_config.target.name = "ring8"
    trainer = Trainer(small_config)
    trainer.train(3)
    export_generator(trainer, tmp_path / "gen")
    return trainer, tmp_path / "gen"


def test_round_trip_gives_the_same_generator(exported):
    trainer, stem = exported
    z = torch.randn(50, trainer.config.model.latent_dim)
    expected = trainer.sample(50, latent=z)
    for path in (stem, stem.with_suffix(".safetensors"), stem.with_suffix(".json")):
        generator = ganlab.load_generator(path)
        assert isinstance(generator, torch.nn.Module)
        with torch.no_grad():
            assert np.allclose(generator(z).numpy(), expected, atol=1e-6)
    generator = load_generator(stem)
    assert generator.data_kind == "points" and generator.latent_dim == 2
    a, b = generator.sample(10, seed=3), generator.sample(10, seed=3)
    assert a.shape == (10, 2) and torch.equal(a, b)
    description = json.loads(stem.with_suffix(".json").read_text())
    assert description["format"] == "ganlab-generator" and description["version"] == 1
    assert description["architecture"]["latent_dim"] == trainer.config.model.latent_dim
    assert description["target"] == "ring8" and description["iteration"] == 3
    assert not list(stem.parent.glob("*.tmp"))


def _rewrite(stem, change):
    path = stem.with_suffix(".json")
    description = json.loads(path.read_text())
    change(description)
    path.write_text(json.dumps(description))


def test_bad_generator_files_are_refused_clearly(exported, tmp_path):
    _, stem = exported
    with pytest.raises(GeneratorFileError, match="no such file"):
        load_generator(tmp_path / "missing")
    _rewrite(stem, lambda d: d.update(version=99))
    with pytest.raises(GeneratorFileError, match="version 99 is newer"):
        load_generator(stem)
    _rewrite(stem, lambda d: d.update(version=1, format="something"))
    with pytest.raises(GeneratorFileError, match="not a ganlab generator"):
        load_generator(stem)
    _rewrite(stem, lambda d: d.update(format="ganlab-generator"))
    _rewrite(stem, lambda d: d["architecture"].update(width=5))
    with pytest.raises(GeneratorFileError, match="do not match the architecture"):
        load_generator(stem)
    _rewrite(stem, lambda d: d["architecture"].update(width=16, activation="swish"))
    with pytest.raises(GeneratorFileError, match="incomplete or invalid"):
        load_generator(stem)
    _rewrite(stem, lambda d: d["architecture"].update(activation="relu"))
    stem.with_suffix(".safetensors").write_bytes(b"\x89PNG not weights")
    with pytest.raises(GeneratorFileError, match="not a readable safetensors"):
        load_generator(stem)
    stem.with_suffix(".safetensors").unlink()
    with pytest.raises(GeneratorFileError, match="no such file"):
        load_generator(stem)


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=200))
def test_arbitrary_description_bytes_fail_clearly(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "g.json").write_bytes(data)
    (folder / "g.safetensors").write_bytes(data)
    with pytest.raises(GeneratorFileError, match=r"g\.json|g\.safetensors"):
        load_generator(folder / "g")


def test_onnx_export_matches_torch(exported, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    from ganlab.core.onnx_export import export_onnx

    _, stem = exported
    generator = load_generator(stem)
    path = export_onnx(generator, generator.latent_dim, tmp_path / "g.onnx")
    session = ort.InferenceSession(str(path))
    for n in (1, 37):
        z = np.random.default_rng(n).normal(size=(n, generator.latent_dim)).astype(np.float32)
        (onnx_out,) = session.run(None, {"z": z})
        with torch.no_grad():
            torch_out = generator(torch.from_numpy(z)).numpy()
        assert onnx_out.shape == (n, 2)
        assert np.allclose(onnx_out, torch_out, atol=1e-5)


# ---------------------------------------------------------------- crafted generators (issue 11)

ABSURD_DESCRIPTIONS = {
    "width 30,000": (lambda a: a.update(width=30_000),
                     "architecture.width = 30000 is not allowed"),
    "width 10 million": (lambda a: a.update(width=10**7), "architecture.width = 10000000"),
    "latent 1e9": (lambda a: a.update(latent_dim=10**9), "architecture.latent_dim = 1000000000"),
    "a million layers": (lambda a: a.update(hidden_layers=10**6),
                         "architecture.hidden_layers = 1000000"),
    "width as text": (lambda a: a.update(width="128"), "architecture.width must be int"),
    "width true": (lambda a: a.update(width=True), "architecture.width must be int"),
    "no data_dim": (lambda a: a.pop("data_dim"), "one number within ±1e+18 per data dimension"),
    "data_dim 0": (lambda a: a.update(data_dim=0), "one number within ±1e+18 per data dimension"),
}


@pytest.mark.parametrize("case", ABSURD_DESCRIPTIONS)
def test_absurd_architectures_are_refused_before_building(exported, case):
    _, stem = exported
    change, fragment = ABSURD_DESCRIPTIONS[case]
    _rewrite(stem, lambda d: change(d["architecture"]))
    stem.with_suffix(".safetensors").unlink()  # refused on the description alone
    with pytest.raises(GeneratorFileError) as info:
        load_generator(stem)
    message = str(info.value)
    assert message.startswith(f"{stem.with_suffix('.json')}: the generator description is "
                              "incomplete or invalid (")
    assert fragment in message, message


@pytest.mark.parametrize("scale", [[0, 0], [1, -1], [1, None], [1, "2"]])
def test_scales_must_be_positive_finite_numbers(exported, scale):
    _, stem = exported
    _rewrite(stem, lambda d: d["scaling"].update(scale=scale))
    with pytest.raises(GeneratorFileError, match="each scale above 0"):
        load_generator(stem)


@pytest.mark.parametrize("version", [-1, 0, True, "1", 1.0, None])
def test_only_known_versions_are_read(exported, version):
    _, stem = exported
    _rewrite(stem, lambda d: d.update(version=version))
    with pytest.raises(GeneratorFileError, match="no valid format version"):
        load_generator(stem)


def test_deep_or_huge_json_descriptions_are_refused(exported):
    _, stem = exported
    path = stem.with_suffix(".json")
    path.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(GeneratorFileError, match="nested more than 64 levels deep"):
        load_generator(stem)
    path.write_text('{"format": "ganlab-generator", "version": ' + "1" * 5000 + "}")
    with pytest.raises(GeneratorFileError, match="a number longer than 100 characters"):
        load_generator(stem)
    path.write_bytes(b" " * (5 * 2**20))
    with pytest.raises(GeneratorFileError, match="5,242,880 bytes, more than the 4,194,304"):
        load_generator(stem)


def _write_weights(stem, tensors):
    stem.with_suffix(".safetensors").write_bytes(save(tensors))


def test_weights_are_checked_before_they_are_read(exported):
    _, stem = exported
    weights = load_file(str(stem.with_suffix(".safetensors")))
    _write_weights(stem, {**weights, "0.weight": torch.zeros(1)})
    with pytest.raises(GeneratorFileError, match=r"tensor '0\.weight' as F32 \[1\], expected F32 "
                                                 r"\[16, 2\]"):
        load_generator(stem)
    _write_weights(stem, {**weights, "9.weight": torch.zeros(1)})
    with pytest.raises(GeneratorFileError, match=r"unexpected tensor '9\.weight'"):
        load_generator(stem)
    _write_weights(stem, {**weights, "0.weight": weights["0.weight"].double()})
    with pytest.raises(GeneratorFileError, match="as F64"):
        load_generator(stem)
    _write_weights(stem, {**weights, "0.bias": torch.full((16,), float("nan"))})
    with pytest.raises(GeneratorFileError, match=r"weights are not finite \(0\.bias\)"):
        load_generator(stem)
    # a header that declares a terabyte tensor, and one that declares a terabyte header
    header = json.dumps({"0.weight": {"dtype": "F32", "shape": [2**20, 2**20],
                                      "data_offsets": [0, 2**42]}}).encode()
    path = stem.with_suffix(".safetensors")
    path.write_bytes(len(header).to_bytes(8, "little") + header)
    with pytest.raises(GeneratorFileError, match=r"as F32 \[1048576, 1048576\]"):
        load_generator(stem)
    path.write_bytes((2**60).to_bytes(8, "little") + header)
    with pytest.raises(GeneratorFileError, match=r"not a readable safetensors file .*header"):
        load_generator(stem)
    _write_weights(stem, weights)
    path.write_bytes(path.read_bytes() + bytes(10_000))
    with pytest.raises(GeneratorFileError, match="more than the weights of the architecture"):
        load_generator(stem)


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs are POSIX")
def test_pipes_and_devices_are_refused_without_waiting(exported, tmp_path):
    _, stem = exported
    os.mkfifo(tmp_path / "pipe.json")
    with pytest.raises(GeneratorFileError, match="not a regular file"):
        load_generator(tmp_path / "pipe.json")
    stem.with_suffix(".safetensors").unlink()
    os.mkfifo(stem.with_suffix(".safetensors"))
    with pytest.raises(GeneratorFileError, match="not a regular file"):
        load_generator(stem)


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_mutated_descriptions_are_refused_or_sample(tmp_path_factory, data):
    """Any value anywhere in the description (numbers of every size, text, lists, nesting):
    the generator loads and samples finite points, or is refused in one line naming a file."""
    folder = tmp_path_factory.mktemp("mutate")
    from ganlab.core.config import RunConfig

    config = RunConfig()
    config.model.generator.hidden_layers, config.model.generator.width = 1, 4
    trainer = Trainer(config)
    stem = folder / "g"
    export_generator(trainer, stem)
    description = json.loads(stem.with_suffix(".json").read_text())
    places = [("version",), ("format",), ("scaling", "shift"), ("scaling", "scale")] + [
        ("architecture", key) for key in description["architecture"]]
    values = st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.floats() \
        | st.text(max_size=6) | st.lists(st.floats(), max_size=3) \
        | st.sampled_from([0, 1, 2, 3, 4096, 4097, "relu", "uniform", "mlp"])
    for place in data.draw(st.lists(st.sampled_from(places), min_size=1, max_size=3)):
        target = description
        for key in place[:-1]:
            target = target[key]
        target[place[-1]] = data.draw(values)
    stem.with_suffix(".json").write_text(json.dumps(description))
    try:
        generator = load_generator(stem)
    except GeneratorFileError as error:
        assert "g.json" in str(error) or "g.safetensors" in str(error)
        assert "\n" not in str(error)
    else:
        assert torch.isfinite(generator.sample(5, seed=0)).all()


def test_a_shift_beyond_float32_is_refused_naming_the_file(tmp_path):
    """Found by the fuzzing above: a shift of 3.4028235677973366e38 is finite as JSON's float64
    but infinite in float32, so every sample was inf."""
    from ganlab.core.config import RunConfig

    config = RunConfig()
    config.model.generator.hidden_layers, config.model.generator.width = 1, 4
    stem = tmp_path / "g"
    export_generator(Trainer(config), stem)
    description = json.loads(stem.with_suffix(".json").read_text())
    description["scaling"]["shift"] = [0.0, 3.4028235677973366e38]
    stem.with_suffix(".json").write_text(json.dumps(description))
    with pytest.raises(GeneratorFileError, match=r"g\.json.*within ±1e\+18"):
        load_generator(stem)
