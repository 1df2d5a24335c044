"""The 1D view labels what it draws (issue 16): the generator curve is a slice when z has more
than one dimension, and says so over every sample; D* stops where it is undefined; the
discriminator's axis is short and its title says how to read it."""

from __future__ import annotations

import numpy as np
import pytest

from ganlab.core.targets import ViewBox
from tests.app.test_legibility import run_frame


@pytest.fixture
def line_view(qtbot):
    from ganlab.app.views.line_view import LineView

    view = LineView()
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.show()
    return view


def test_the_1d_generator_slice_is_labelled_and_drawn_over_every_sample(line_view):
    box = ViewBox((-4.0,), (4.0,))
    z = np.linspace(-3, 3, 50)
    frame = run_frame("minimax", "probability", box=box, latent_dim=2,
                      pushforward=(z, np.tanh(z)[:, None]))
    line_view.show_run(frame)
    title = line_view.pushforward.titleLabel.text
    assert "slice" in title and "z₂ = 0" in title
    assert line_view.pushforward.getAxis("bottom").labelText == "latent z₁"
    names = [label.text for _, label in line_view.pushforward_legend.items]
    assert names == ["G along z₂ = 0", "every sample: (z₁, G(z))"]
    x, y = line_view.g_samples.getData()
    np.testing.assert_array_equal(x, frame.snapshot.latent[:, 0])  # all 64 samples
    np.testing.assert_array_equal(y, frame.snapshot.fake[:, 0])
    line_view.show_run(run_frame("minimax", "probability", box=box, latent_dim=1,
                                 pushforward=(z, np.tanh(z)[:, None])))
    assert "slice" not in line_view.pushforward.titleLabel.text
    assert not line_view.g_samples.isVisible() and not line_view.pushforward_legend.items


def test_the_1d_view_draws_d_star_only_where_it_is_defined(line_view):
    box = ViewBox((-4.0,), (4.0,))
    d_star = np.linspace(0.2, 0.8, 100)
    d_star[70:] = np.nan  # undefined: neither density has mass there
    line_view.show_run(run_frame("minimax", "probability", box=box, latent_dim=1,
                                 critic=np.full(100, 0.5), d_star=d_star, levels=(0.0, 1.0)))
    path = line_view.d_star_curve.curve.getPath().boundingRect()
    cell = 8.0 / 100
    assert path.right() == pytest.approx(-4.0 + 69.5 * cell)  # the curve stops at the last
    assert path.left() == pytest.approx(-4.0 + 0.5 * cell)  # defined cell, and goes nowhere
    assert path.top() == pytest.approx(0.2) and path.bottom() == pytest.approx(d_star[69])


@pytest.mark.parametrize(("label", "axis", "title"), [
    ("D(x) score (1 = real)", "D(x) score", "Discriminator (1 = real)"),
    ("critic d(x)  (high = real)", "critic d(x)", "Discriminator (high = real)"),
    ("MMD witness", "MMD witness", "Discriminator")])
def test_the_1d_discriminator_axis_is_short_and_the_title_says_how_to_read_it(
        line_view, label, axis, title):
    box = ViewBox((-4.0,), (4.0,))
    line_view.show_run(run_frame("lsgan", "score", box=box, latent_dim=3, label=label,
                                 critic=np.linspace(0, 1, 100), levels=(0.0, 1.0),
                                 pushforward=(np.zeros(5), np.zeros((5, 1)))))
    assert line_view.discriminator.getAxis("left").labelText == axis
    assert line_view.discriminator.titleLabel.text == title
    assert "z₂…z₃ = 0" in line_view.pushforward.titleLabel.text





def test_sliced_wasserstein_leaves_no_stale_discriminator_curve(line_view):
    box = ViewBox((-4.0,), (4.0,))
    pushforward = (np.zeros(5), np.zeros((5, 1)))
    line_view.show_run(run_frame("minimax", "probability", box=box, latent_dim=1,
                                 critic=np.full(100, 0.4), levels=(0.0, 1.0),
                                 label="D(x)  (1 = real)", pushforward=pushforward))
    assert len(line_view.d_curve.getData()[0]) == 100
    line_view.show_run(run_frame("sliced-wasserstein", "none", box=box, latent_dim=1,
                                 pushforward=pushforward))
    x, _ = line_view.d_curve.getData()
    assert x is None or len(x) == 0
    assert line_view.discriminator.getAxis("left").labelText == "no discriminator"
    assert not line_view.half_line.isVisible()
