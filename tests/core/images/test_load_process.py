"""Loading in a child process (`load_process`) and in one pass at a side the networks take."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from ganlab.core.images import ImageFileError, LoadCancelled, load_images
from ganlab.core.images.image_arrays import default_resolution
from ganlab.core.images.image_limits import DEFAULT_RESOLUTIONS
from ganlab.core.images.load_process import load_images_in_child


def _folder(root, count=24, side=12):
    rng = np.random.default_rng(0)
    for index in range(count):
        folder = root / ("even" if index % 2 == 0 else "odd")
        folder.mkdir(parents=True, exist_ok=True)
        pixels = rng.integers(0, 256, (side, side), dtype=np.uint8)
        Image.fromarray(pixels).save(folder / f"{index:03d}.png")
    (root / "odd" / "broken.png").write_bytes(b"not a png")
    return root


@pytest.mark.parametrize(("side", "equal", "expected"),
                         [(28, True, 32), (12, True, 16), (16, True, 16), (40, True, 32),
                          (6, True, 8), (100, True, 64), (28, False, 32)])
def test_squares_go_to_the_nearest_side_the_networks_take_a_tie_up(side, equal, expected):
    assert default_resolution(side, equal, DEFAULT_RESOLUTIONS) == expected
    assert default_resolution(12, True) == 12  # without `sides`: equal squares keep theirs


def test_a_folder_loads_at_an_allowed_side_in_one_pass(tmp_path):
    calls = []
    loaded = load_images(_folder(tmp_path / "f"), sides=DEFAULT_RESOLUTIONS,
                         progress=lambda done, total: calls.append((done, total)))
    assert loaded.data.images.shape == (24, 1, 16, 16)
    assert {total for _, total in calls} == {2 * 25}  # both passes over the 25 files, once


def test_the_child_process_loads_what_the_loader_does_and_reports_progress(tmp_path):
    folder = _folder(tmp_path / "f")
    calls = []
    mine = load_images_in_child(folder, progress=lambda done, total: calls.append(done),
                                sides=DEFAULT_RESOLUTIONS)
    theirs = load_images(folder, sides=DEFAULT_RESOLUTIONS)
    np.testing.assert_array_equal(mine.data.images, theirs.data.images)
    np.testing.assert_array_equal(mine.data.labels, theirs.data.labels)
    assert mine.data.class_names == ("even", "odd") and mine.skipped == theirs.skipped
    assert calls == sorted(calls) and calls[-1] == 49 and len(calls) >= 10  # 25 + 24 readable
    assert not mine.data.images.flags.writeable


def test_the_child_process_passes_on_errors_and_cancelling(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ImageFileError, match="empty: holds no PNG or JPEG images"):
        load_images_in_child(tmp_path / "empty")
    with pytest.raises(ValueError, match="resolution must be"):
        load_images_in_child(tmp_path / "empty", resolution=1000)
    with pytest.raises(LoadCancelled):
        load_images_in_child(_folder(tmp_path / "f"), cancelled=lambda: True)
