"""D* in one dimension against the closed form D* = p / (p + q), and undefined (NaN, so not
drawn) where neither density has mass: it must not jump to 1 outside the data's support."""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from ganlab.core.fields import grid_axes, kernel_bandwidth, optimal_discriminator_field
from ganlab.core.targets import ViewBox

BOX = ViewBox((-8.0,), (8.0,))
RESOLUTION = 200


def smoothed_gaussian(x, mean, sd, h):
    """N(mean, sd²) convolved with the Gaussian kernel of bandwidth h: N(mean, sd² + h²)."""
    return norm.pdf(x, mean, np.sqrt(sd**2 + h**2))


def field_for(data_mean, data_sd, model_mean, model_sd, n=4096):
    x = grid_axes(BOX, RESOLUTION)[0]
    h = float(kernel_bandwidth(BOX, RESOLUTION)[0])
    # generated points at the model's quantiles: its kernel estimate is close to exact
    samples = model_mean + model_sd * norm.ppf((np.arange(n) + 0.5) / n)[:, None]
    p = smoothed_gaussian(x, data_mean, data_sd, h)
    q = smoothed_gaussian(x, model_mean, model_sd, h)
    d_star = optimal_discriminator_field(p, samples, BOX, RESOLUTION, h)
    return x, p, q, d_star


def test_d_star_matches_the_closed_form_where_both_densities_are_defined():
    x, p, q, d_star = field_for(0.0, 1.0, 1.0, 1.0)
    defined = np.isfinite(d_star)
    both = (p > 0.02) & (q > 0.02)  # the estimate of q rests on ≥ 60 points there
    assert both.sum() > 40 and defined[both].all()
    np.testing.assert_allclose(d_star[both], (p / (p + q))[both], atol=0.01)
    # D* = ½ where the two densities cross (x = ½), below it on the model's side
    middle = np.argmin(np.abs(x - 0.5))
    assert abs(d_star[middle] - 0.5) < 0.01 and d_star[middle + 20] < 0.4


def test_d_star_is_undefined_outside_both_supports_and_never_jumps_to_1_there():
    x, p, _, d_star = field_for(0.0, 1.0, 1.0, 1.0)
    far = np.abs(x - 0.5) > 6.5
    assert far.sum() > 10 and np.isnan(d_star[far]).all()
    data_free = p < 1e-4  # outside the data's support D* is never "certainly real"
    assert not (d_star[data_free & np.isfinite(d_star)] > 0.99).any()


def test_disjoint_supports_d_star_is_1_on_the_data_0_on_the_model_and_undefined_between():
    x, _, _, d_star = field_for(-3.0, 0.5, 3.0, 0.5)
    on_data, on_model = np.abs(x + 3.0) < 0.5, np.abs(x - 3.0) < 0.5
    np.testing.assert_allclose(d_star[on_data], 1.0, atol=1e-6)
    np.testing.assert_allclose(d_star[on_model], 0.0, atol=1e-6)
    gap = np.abs(x) < 0.5  # neither has mass: no value to show
    assert np.isnan(d_star[gap]).all()
    assert np.isnan(d_star[np.abs(x) > 7.0]).all()
