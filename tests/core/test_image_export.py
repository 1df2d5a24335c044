"""Exported image generators: the file pair, exact round trips, tampered files, ONNX parity."""

import json
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from safetensors.torch import load_file, save

import ganlab
from ganlab.core.config import NetworkConfig
from ganlab.core.export import (
    GeneratorFileError,
    LoadedImageGenerator,
    export_generator,
    load_generator,
)
from ganlab.core.image_nets import build_image_generator
from ganlab.core.trainer import Trainer
from tests.image_configs import tiny_image_config

LATENT = 6


def stand_in_trainer(shape=(1, 8, 8), architecture="dcgan", num_classes=0, width=8,
                     hidden_layers=2, activation="relu", distribution="gaussian", seed=0):
    """What export needs of a trainer on images; its batch-norm statistics have moved."""
    torch.manual_seed(seed)
    network = build_image_generator(LATENT, shape, architecture, width, num_classes,
                                    hidden_layers, activation)
    labels = torch.arange(16) % num_classes if num_classes else None
    with torch.no_grad():
        for _ in range(3):  # train-mode forwards update BN running statistics
            network(torch.randn(16, LATENT), labels)
    return SimpleNamespace(
        target=SimpleNamespace(data_kind="images", shape=shape, num_classes=num_classes,
                               name="digits"),
        config=SimpleNamespace(model=SimpleNamespace(
            latent_dim=LATENT, latent_distribution=distribution, conditional=num_classes > 0,
            generator=NetworkConfig(hidden_layers, width, activation))),
        architecture=architecture, generator=network, iteration=7)


@pytest.fixture
def conditional(tmp_path):
    trainer = stand_in_trainer((1, 16, 16), "dcgan", num_classes=10)
    export_generator(trainer, tmp_path / "gen")
    return trainer, tmp_path / "gen"


CASES = [((1, 8, 8), "dcgan", 0), ((3, 16, 16), "dcgan", 4), ((1, 32, 32), "dcgan", 0),
         ((3, 8, 8), "mlp", 0), ((1, 16, 16), "mlp", 10)]


@pytest.mark.parametrize(("shape", "architecture", "classes"), CASES)
def test_round_trip_is_exact(tmp_path, shape, architecture, classes):
    trainer = stand_in_trainer(shape, architecture, classes, distribution="uniform")
    weights_path, description_path = export_generator(trainer, tmp_path / "g")
    z = torch.randn(9, LATENT, generator=torch.Generator().manual_seed(1))
    labels = torch.tensor([0, 1, 2, 3, 0, 1, 2, 3, 0]) % classes if classes else None
    with torch.no_grad():
        expected = 0.5 + 0.5 * trainer.generator.eval()(z, labels)
    for path in (tmp_path / "g", weights_path, description_path):
        generator = ganlab.load_generator(path)
        assert isinstance(generator, LoadedImageGenerator) and not generator.training
        with torch.no_grad():
            images = generator(z, labels)
        assert images.shape == (9, *shape) and torch.equal(images, expected)
        assert float(images.min()) >= 0.0 and float(images.max()) <= 1.0
    assert (generator.data_kind, generator.shape, generator.num_classes) == (
        "images", shape, classes)
    assert (generator.latent_dim, generator.latent_distribution) == (LATENT, "uniform")
    description = json.loads(description_path.read_text())
    assert description == {
        "format": "ganlab-generator", "version": 2,
        "architecture": {"type": "dcgan" if architecture == "dcgan" else "mlp-image",
                         "latent_dim": LATENT, "latent_distribution": "uniform",
                         "shape": list(shape), "width": 8, "hidden_layers": 2,
                         "activation": "relu", "num_classes": classes},
        "scaling": {"shift": 0.5, "scale": 0.5},
        "target": "digits", "iteration": 7, "ganlab_version": ganlab.__version__,
    }
    assert set(load_file(str(weights_path))) == set(trainer.generator.state_dict())
    assert not list(tmp_path.glob(".*.tmp"))


def test_sampling_with_and_without_labels(conditional):
    _, stem = conditional
    generator = load_generator(stem)
    a, b = (generator.sample(5, seed=3, labels=[0, 1, 2, 3, 9]) for _ in range(2))
    assert a.shape == (5, 1, 16, 16) and torch.equal(a, b)
    z = torch.randn(5, LATENT, generator=torch.Generator().manual_seed(3))
    assert torch.equal(generator.sample(5, seed=3, labels=7), generator(z, torch.full((5,), 7)))
    with pytest.raises(ValueError, match="conditional on 10 classes: pass labels"):
        generator.sample(5, seed=3)
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 10\), got values in \[0, 10\]"):
        generator.sample(2, labels=[0, 10])
    unconditional = stand_in_trainer()
    export_generator(unconditional, stem.parent / "u")
    plain = load_generator(stem.parent / "u")
    assert plain.sample(4, seed=0).shape == (4, 1, 8, 8)
    with pytest.raises(ValueError, match="unconditional"):
        plain.sample(4, labels=1)


def test_export_refuses_a_network_its_settings_do_not_describe(tmp_path):
    trainer = stand_in_trainer()
    trainer.config.model.generator = NetworkConfig(2, 16, "relu")  # not yet applied
    with pytest.raises(ValueError, match="do not match its settings"):
        export_generator(trainer, tmp_path / "g")
    assert not list(tmp_path.iterdir())


def _rewrite(stem, change):
    path = stem.with_suffix(".json")
    description = json.loads(path.read_text())
    change(description)
    path.write_text(json.dumps(description))


def _arch(**values):
    return lambda d: d["architecture"].update(values)


TAMPERED_DESCRIPTIONS = {
    "7×7": (_arch(shape=[1, 7, 7]), "architecture.shape = [1, 7, 7]: expected"),
    "not square": (_arch(shape=[1, 16, 8]), "architecture.shape = [1, 16, 8]"),
    "2 channels": (_arch(shape=[2, 16, 16]), "architecture.shape = [2, 16, 16]"),
    "128 pixels": (_arch(shape=[1, 128, 128]), "architecture.shape = [1, 128, 128]"),
    "shape as text": (_arch(shape="1x16x16"), "architecture.shape = '1x16x16'"),
    "no shape": (lambda d: d["architecture"].pop("shape"), "architecture.shape = None"),
    "width 10**9": (_arch(width=10**9), "architecture.width = 1000000000 is not allowed"),
    "latent 0": (_arch(latent_dim=0), "architecture.latent_dim = 0"),
    "classes -1": (_arch(num_classes=-1), "architecture.num_classes = -1: expected a whole"),
    "classes 1001": (_arch(num_classes=1001), "architecture.num_classes = 1001"),
    "classes true": (_arch(num_classes=True), "architecture.num_classes = True"),
    "classes 2.0": (_arch(num_classes=2.0), "architecture.num_classes = 2.0"),
    "shift 0": (lambda d: d["scaling"].update(shift=0.0), "scaling must be"),
    "scale list": (lambda d: d["scaling"].update(scale=[0.5]), "scaling must be"),
}


@pytest.mark.parametrize("case", TAMPERED_DESCRIPTIONS)
def test_tampered_descriptions_are_refused_naming_the_file(conditional, case):
    _, stem = conditional
    change, fragment = TAMPERED_DESCRIPTIONS[case]
    _rewrite(stem, change)
    with pytest.raises(GeneratorFileError) as info:
        load_generator(stem)
    message = str(info.value)
    assert message.startswith(f"{stem.with_suffix('.json')}: the generator description is "
                              "incomplete or invalid (") and "\n" not in message
    assert fragment in message, message


def test_image_types_need_version_2_and_unknown_types_are_refused(conditional):
    _, stem = conditional
    _rewrite(stem, lambda d: d.update(version=1))
    with pytest.raises(GeneratorFileError, match=r"incomplete or invalid$"):
        load_generator(stem)
    _rewrite(stem, lambda d: (d.update(version=2), d["architecture"].update(type="resnet")))
    with pytest.raises(GeneratorFileError, match=r"incomplete or invalid$"):
        load_generator(stem)
    _rewrite(stem, lambda d: d.update(version=3))
    with pytest.raises(GeneratorFileError, match=r"version 3 is newer .* \(version 2\)"):
        load_generator(stem)


def test_a_description_that_disagrees_with_the_weights_is_refused(conditional):
    _, stem = conditional
    for change in (_arch(num_classes=9), _arch(shape=[1, 32, 32]), _arch(width=16),
                   _arch(type="mlp-image"), _arch(latent_dim=LATENT + 1)):
        _rewrite(stem, change)
        with pytest.raises(GeneratorFileError, match=r"gen\.safetensors: weights do not match "
                                                     r"the architecture in gen\.json"):
            load_generator(stem)
        _rewrite(stem, _arch(num_classes=10, shape=[1, 16, 16], width=8, type="dcgan",
                             latent_dim=LATENT))
    assert load_generator(stem).num_classes == 10


def test_tampered_weights_are_refused_naming_the_file(conditional):
    _, stem = conditional
    path = stem.with_suffix(".safetensors")
    weights = {k: v.clone() for k, v in load_file(str(path)).items()}  # not mapped to the file
    named = rf"{path}: weights do not match the architecture in gen\.json \(the file "
    cases = [
        ({k: v for k, v in weights.items() if k != "label_embedding.weight"},
         named + r"lacks the tensor 'label_embedding\.weight'"),
        ({**weights, "body.99.weight": torch.zeros(1)},
         named + r"holds an unexpected tensor 'body\.99\.weight'"),
        ({**weights, "body.0.weight": weights["body.0.weight"].double()},
         named + r"has tensor 'body\.0\.weight' as F64"),
        ({**weights, "body.2.num_batches_tracked": torch.tensor(3, dtype=torch.int32)},
         named + r"has tensor 'body\.2\.num_batches_tracked' as I32 \[\], expected I64"),
        ({**weights, "body.2.running_var": torch.full_like(weights["body.2.running_var"],
                                                           float("nan"))},
         rf"{path}: the weights are not finite \(body\.2\.running_var\)"),
        ({**weights, "label_embedding.weight": torch.full((10, LATENT), float("inf"))},
         rf"{path}: the weights are not finite \(label_embedding\.weight\)"),
    ]
    for tensors, message in cases:
        path.write_bytes(save(tensors))
        with pytest.raises(GeneratorFileError, match=message):
            load_generator(stem)
    path.write_bytes(save(weights) + bytes(100_000))
    with pytest.raises(GeneratorFileError, match="more than the weights of the architecture"):
        load_generator(stem)
    path.write_bytes(save(weights))
    assert load_generator(stem).shape == (1, 16, 16)


def test_points_files_stay_version_1_and_version_2_points_files_load(tmp_path, small_config):
    trainer = Trainer(small_config)
    export_generator(trainer, tmp_path / "p")
    assert json.loads((tmp_path / "p.json").read_text())["version"] == 1
    _rewrite(tmp_path / "p", lambda d: d.update(version=2))
    generator = load_generator(tmp_path / "p")
    assert generator.data_kind == "points" and generator.sample(3, seed=0).shape == (3, 2)


@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_mutated_image_descriptions_are_refused_or_sample(tmp_path_factory, data):
    """Any value in any architecture or scaling field: the generator loads and samples images
    in [0, 1], or is refused in one line naming a file."""
    stem = tmp_path_factory.mktemp("mutate") / "g"
    export_generator(stand_in_trainer(num_classes=3), stem)
    description = json.loads(stem.with_suffix(".json").read_text())
    places = [("scaling", "shift"), ("scaling", "scale")] + [
        ("architecture", key) for key in description["architecture"]]
    values = st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.floats() \
        | st.text(max_size=6) | st.lists(st.integers(-1, 70), max_size=4) \
        | st.sampled_from([0, 1, 3, 8, 16, 0.5, [1, 8, 8], [3, 8, 8], "mlp-image", "dcgan"])
    for section, key in data.draw(st.lists(st.sampled_from(places), min_size=1, max_size=3)):
        description[section][key] = data.draw(values)
    stem.with_suffix(".json").write_text(json.dumps(description))
    try:
        generator = load_generator(stem)
    except GeneratorFileError as error:
        assert "g.json" in str(error) or "g.safetensors" in str(error)
        assert "\n" not in str(error)
    else:
        labels = torch.arange(4) % generator.num_classes if generator.num_classes else None
        images = generator.sample(4, seed=0, labels=labels)
        assert images.shape == (4, *generator.shape)
        assert float(images.min()) >= 0.0 and float(images.max()) <= 1.0


@pytest.mark.parametrize(("shape", "architecture", "classes"),
                         [((1, 16, 16), "dcgan", 0), ((3, 8, 8), "dcgan", 5),
                          ((1, 8, 8), "mlp", 3)])
def test_onnx_export_matches_torch(tmp_path, shape, architecture, classes):
    ort, _ = pytest.importorskip("onnxruntime"), pytest.importorskip("onnxscript")
    from ganlab.core.onnx_export import export_onnx

    export_generator(stand_in_trainer(shape, architecture, classes), tmp_path / "g")
    generator = load_generator(tmp_path / "g")
    path = export_onnx(generator, generator.latent_dim, tmp_path / "g.onnx")
    session = ort.InferenceSession(str(path))
    assert [i.name for i in session.get_inputs()] == (["z", "labels"] if classes else ["z"])
    for n in (1, 13):
        rng = np.random.default_rng(n)
        feeds = {"z": rng.normal(size=(n, LATENT)).astype(np.float32)}
        if classes:
            feeds["labels"] = rng.integers(0, classes, size=n).astype(np.int64)
        labels = torch.from_numpy(feeds["labels"]) if classes else None
        (onnx_out,) = session.run(None, feeds)
        with torch.no_grad():
            torch_out = generator(torch.from_numpy(feeds["z"]), labels).numpy()
        assert onnx_out.shape == (n, *shape)
        assert np.abs(onnx_out - torch_out).max() <= 1e-5


@pytest.mark.parametrize("conditional", [False, True])
def test_a_trained_image_generator_round_trips_exactly(tmp_path, conditional):
    """End to end with the engine: Trainer on the 8×8 digits → export → load; the loaded
    module reproduces the trainer's own samples bit for bit (evaluation mode)."""
    trainer = Trainer(tiny_image_config(conditional=conditional))
    trainer.train(3)
    _, description_path = export_generator(trainer, tmp_path / "digits")
    z = torch.randn(12, 8, generator=torch.Generator().manual_seed(5))
    labels = torch.arange(12) % 10 if conditional else None
    expected = trainer.sample(12, latent=z, labels=labels)
    generator = load_generator(tmp_path / "digits")
    with torch.no_grad():
        assert np.array_equal(generator(z, labels).numpy(), expected)
    assert (generator.shape, generator.num_classes) == ((1, 8, 8), 10 if conditional else 0)
    architecture = json.loads(description_path.read_text())["architecture"]
    assert architecture["type"] == "dcgan" and architecture["shape"] == [1, 8, 8]
