"""A folder of labelled sub-folders keeps its sub-folders' names all the way to the image view:
row labels of the conditional grid, the readout, the nearest training image's caption."""

from __future__ import annotations

import numpy as np
from PIL import Image

from ganlab.core.data_store import DATA
from ganlab.core.images import load_images
from ganlab.core.images.class_names import (
    MAX_REMEMBERED,
    class_names_for,
    remember_class_names,
)

NAMES = ("cats", "dogs")


def two_named_folders(root):
    """16×16 PNGs: 12 dark ones under cats/, 12 bright ones under dogs/."""
    rng = np.random.default_rng(0)
    for name, value in zip(NAMES, (40, 220), strict=True):
        (root / name).mkdir(parents=True)
        for index in range(12):
            pixels = rng.integers(0, 30, (16, 16), dtype=np.uint8)
            pixels[4:12, 4:12] = value
            Image.fromarray(pixels).save(root / name / f"{index}.png")
    return root


def test_the_folder_loader_names_classes_by_sub_folder_and_the_names_are_remembered(tmp_path):
    data = load_images(two_named_folders(tmp_path / "pets"), resolution=16).data
    assert data.class_names == NAMES
    bright = data.images[:, 0, 8, 8] > 0.5
    np.testing.assert_array_equal(data.labels, bright.astype(np.int64))  # dogs are bright
    reference = DATA.put(data.labels)
    assert class_names_for(reference, ("0", "1")) == ("0", "1")  # nothing remembered yet
    remember_class_names(reference, data.class_names)
    assert class_names_for(reference, ("0", "1")) == NAMES
    assert class_names_for(reference, ("0", "1", "2")) == ("0", "1", "2")  # another count
    assert class_names_for(None, ("0",)) == ("0",)
    for index in range(MAX_REMEMBERED):  # bounded: the oldest names go
        remember_class_names(f"sha256:{index:064x}", ("x", "y"))
    assert class_names_for(reference, ("0", "1")) == ("0", "1")


def test_a_conditional_run_on_named_folders_shows_the_names(process_window, qtbot, tmp_path):
    window = process_window  # the app as shipped: training in its own process
    folder = two_named_folders(tmp_path / "pets")
    loading = window.image_loading
    with qtbot.waitSignal(loading.finished, timeout=30_000):
        assert loading.load(str(folder))
    window.control_panels[0].edit("model.conditional", True)
    qtbot.waitUntil(lambda: window.session.configs[0].model.conditional, timeout=10_000)
    window.session.step(1)
    view = window.panes[0].image_view

    def conditional_frame_shown():
        frame = window.session.last_frame
        return (frame is not None and frame.runs[0].snapshot.fake_labels is not None
                and view._snapshot is frame.runs[0].snapshot)

    qtbot.waitUntil(conditional_frame_shown, timeout=60_000)
    snapshot = view._snapshot
    assert snapshot.class_names == NAMES  # the configuration carried them to the training
    assert window.session.configs[0].target.class_names == list(NAMES)  # so a session keeps them
    ticks = view.generated_plot.getAxis("left")._tickLevels[0]
    assert [name for _, name in ticks] == list(NAMES)
    first_dog = int(np.flatnonzero(snapshot.fake_labels == 1)[0])
    view.select_tile(first_dog)
    assert f"Generated image {first_dog} (dogs)" in view.readout.text()
    nearest = NAMES[int(snapshot.nearest_labels[first_dog])]
    assert view.nearest_caption.text.startswith(f"nearest real ({nearest}): distance")
