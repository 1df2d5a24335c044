"""Images in the window: the gallery's image targets, their recipe, and the image grids."""

from __future__ import annotations

import numpy as np

from tests.app.conftest import trainer_of


def test_choosing_digits_trains_a_dcgan_and_shows_the_image_grids(window, qtbot):
    window.choose_target("digits")
    config = window.session.configs[0]
    assert config.target.name == "digits" and config.model.latent_dim == 32
    assert config.model.generator.width == 64 and config.training.batch_size == 64
    window.session.step(2)
    qtbot.waitUntil(lambda: (f := window.session.last_frame) is not None
                    and f.runs[0].snapshot.data_kind == "images" and f.iteration == 2,
                    timeout=30_000)
    pane = window.panes[0]
    assert pane.current_view is pane.image_view
    assert trainer_of(window).architecture == "dcgan"
    snapshot = window.session.last_frame.runs[0].snapshot
    assert snapshot.fake.shape == (64, 1, 8, 8)  # the digits recipe: their native 8×8
    shown = pane.image_view.generated.image_item.image
    assert shown is not None and shown.shape[0] > 8 * 8  # 8 rows of (upscaled) tiles
    window.choose_target("ring8")  # back to points: their recipe again
    config = window.session.configs[0]
    assert config.model.latent_dim == 2 and config.training.batch_size == 256
    window.session.step(1)
    qtbot.waitUntil(lambda: window.session.last_frame.runs[0].snapshot.data_kind == "points",
                    timeout=30_000)
    assert pane.current_view is pane.canvas
    assert np.asarray(window.session.last_frame.runs[0].snapshot.fake).shape[1] == 2
