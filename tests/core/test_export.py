import json

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

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
