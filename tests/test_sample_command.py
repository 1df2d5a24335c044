"""`ganlab sample` on image generators: PNG grids, .npy, labels, errors (issue 13)."""

import subprocess
import sys

import numpy as np
import pytest

import ganlab
from ganlab.cli import main
from ganlab.core.config import RunConfig
from tests.image_configs import tiny_image_config


@pytest.fixture(scope="module")
def image_generators(tmp_path_factory):
    """Exported generators of two short runs on the 8×8 digits (unconditional, conditional) and
    of an untrained points generator."""
    from ganlab.core.export import export_generator
    from ganlab.core.trainer import Trainer

    folder = tmp_path_factory.mktemp("images")
    points = RunConfig()
    points.model.generator.hidden_layers, points.model.generator.width = 1, 4
    export_generator(Trainer(points), folder / "points")
    for name, conditional in (("plain", False), ("cond", True)):
        trainer = Trainer(tiny_image_config(conditional=conditional))
        trainer.train(2)
        export_generator(trainer, folder / name)
    return folder / "plain", folder / "cond", folder / "points"


def _png(path):
    from PIL import Image

    with Image.open(path) as png:
        return png.mode, np.asarray(png)


def test_sample_images_writes_a_png_grid_and_npy(image_generators, tmp_path, capsys):
    from ganlab.core.image_grid import image_grid

    plain = image_generators[0]
    png, npy = tmp_path / "g.png", tmp_path / "g.npy"
    assert main(["sample", str(plain), "--n", "6", "--out", str(png), "--npy", str(npy),
                 "--seed", "2"]) == 0
    assert capsys.readouterr().out == f"wrote 6 images (1×8×8) to {png} and {npy}\n"
    images = np.load(npy)
    assert images.shape == (6, 1, 8, 8) and images.dtype == np.float32
    assert images.min() >= 0 and images.max() <= 1
    assert np.array_equal(images, ganlab.load_generator(plain).sample(6, seed=2).numpy())
    mode, picture = _png(png)
    # 6 tiles → 3 columns × 2 rows; 8×8 tiles enlarged 4× to 32×32; 1-pixel gaps
    assert mode == "L" and picture.shape == (2 * 32 + 1, 3 * 32 + 2)
    assert np.array_equal(picture, image_grid(images, zoom=4))
    assert main(["sample", str(plain), "--out", str(tmp_path / "d.npy"), "--seed", "0"]) == 0
    assert np.load(tmp_path / "d.npy").shape == (64, 1, 8, 8)  # the default n for images
    assert main(["sample", str(plain), "--n", "5", "--out", str(tmp_path / "z.png"), "--zoom",
                 "1", "--columns", "5"]) == 0
    assert _png(tmp_path / "z.png")[1].shape == (8, 5 * 8 + 4)


def test_sample_conditional_images_one_row_per_class(image_generators, tmp_path, capsys):
    import torch

    from ganlab.core.image_grid import image_grid
    from ganlab.core.nets import sample_latent

    cond = image_generators[1]
    generator = ganlab.load_generator(cond)
    png, npy = tmp_path / "c.png", tmp_path / "c.npy"
    assert main(["sample", str(cond), "--per-class", "3", "--out", str(npy), "--png", str(png),
                 "--seed", "4"]) == 0
    images = np.load(npy)
    labels = torch.arange(10).repeat_interleave(3)  # 0,0,0,1,1,1,...
    z = sample_latent(30, 8, "gaussian", torch.Generator().manual_seed(4))
    with torch.no_grad():
        assert np.array_equal(images, generator(z, labels).numpy())
    _, picture = _png(png)
    assert picture.shape == (10 * 32 + 9, 3 * 32 + 2)  # one row per class, 3 columns
    assert np.array_equal(picture, image_grid(images, zoom=4, labels=labels.numpy()))
    assert main(["sample", str(cond), "--labels", "3", "--n", "4", "--out", str(npy),
                 "--seed", "1"]) == 0
    assert np.array_equal(np.load(npy), generator.sample(4, seed=1, labels=3).numpy())
    assert main(["sample", str(cond), "--labels", "1,7", "--n", "4", "--out", str(png)]) == 0
    assert _png(png)[1].shape == (2 * 32 + 1, 2 * 32 + 1)  # classes 1, 7, 1, 7 → 2 rows
    assert "wrote 4 images" in capsys.readouterr().out


@pytest.mark.parametrize(("which", "argv", "message"), [
    ("cond", ["--out", "x.png"], "{gen}: conditional on 10 classes: give --labels"),
    ("cond", ["--labels", "10", "--out", "x.png"],
     "--labels 10: expected a whole number from 0 to 9 ({gen} has 10 classes)"),
    ("cond", ["--labels", "one", "--out", "x.png"], "--labels one: expected class numbers"),
    ("cond", ["--per-class", "2", "--n", "5", "--out", "x.png"], "give --n or --per-class"),
    ("cond", ["--per-class", "0", "--out", "x.png"], "--per-class 0: expected"),
    ("plain", ["--labels", "1", "--out", "x.png"], "--labels: {gen} is unconditional"),
    ("plain", ["--out", "x.csv"], "x.csv: images are written as .png or .npy, not .csv"),
    ("plain", ["--n", "3000000", "--out", "x.npy"], "--n 3000000: at most 2,097,152 images"),
    ("plain", ["--zoom", "0", "--out", "x.png"], "--zoom 0: expected"),
    ("plain", ["--out", "x.png", "--png", "x.png"], "x.png: the same file as --out"),
    ("points", ["--out", "x.png"], "{gen}: a points generator draws no images"),
    ("points", ["--per-class", "2", "--out", "x.npy"], "--per-class: only for image generators"),
])
def test_sample_bad_image_options_are_one_line(image_generators, tmp_path, capsys, which,
                                               argv, message):
    generator = dict(zip(("plain", "cond", "points"), image_generators, strict=True))[which]
    argv = [str(tmp_path / a) if a.startswith("x.") else a for a in argv]
    assert main(["sample", str(generator), *argv]) == 2
    line = _bad_input_line(capsys)
    assert message.format(gen=generator) in line, line
    assert not list(tmp_path.iterdir())


def test_sample_images_through_a_real_subprocess(image_generators, tmp_path):
    cond = image_generators[1]
    result = subprocess.run(
        [sys.executable, "-m", "ganlab.cli", "sample", str(cond), "--per-class", "1", "--out",
         str(tmp_path / "g.png"), "--npy", str(tmp_path / "g.npy"), "--seed", "0"],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("wrote 10 images (1×8×8) to ")
    assert np.load(tmp_path / "g.npy").shape == (10, 1, 8, 8)
    assert _png(tmp_path / "g.png")[1].shape == (10 * 32 + 9, 32)


def _bad_input_line(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err.strip()
