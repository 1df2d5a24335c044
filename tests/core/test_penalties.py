"""Penalties on samples of any shape: closed forms on images, old numbers on 2D points."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from ganlab.core.penalties import clip_weights, gradient_penalty, r1_penalty, weight_decay_penalty


def _linear_image_critic(weight: torch.Tensor, bias: float = 0.3):
    """d(x) = ⟨w, x⟩ + b for x of shape (n, *weight.shape)."""

    def critic(x: torch.Tensor) -> torch.Tensor:
        return (x * weight).flatten(1).sum(dim=1) + bias

    return critic


@pytest.mark.parametrize("shape", [(1, 8, 8), (3, 16, 16), (5,)])
def test_gradient_penalty_of_linear_critic_is_norm_minus_one_squared(shape):
    torch.manual_seed(0)
    weight = torch.randn(shape, dtype=torch.float64)
    weight *= 2.5 / weight.norm()  # ‖w‖ = 2.5 → (2.5 - 1)² = 2.25 at every interpolate
    real = torch.randn(7, *shape, dtype=torch.float64)
    fake = torch.randn(7, *shape, dtype=torch.float64)
    rng = torch.Generator().manual_seed(1)
    penalty = gradient_penalty(_linear_image_critic(weight), real, fake, rng)
    assert penalty.item() == pytest.approx(2.25, rel=1e-12)


def test_gradient_penalty_of_unit_norm_critic_on_images_is_zero():
    weight = torch.zeros(3, 8, 8, dtype=torch.float64)
    weight[0, 0, 0], weight[2, 7, 7] = 0.6, 0.8
    real, fake = torch.randn(4, 3, 8, 8, dtype=torch.float64), torch.zeros(4, 3, 8, 8)
    rng = torch.Generator().manual_seed(0)
    assert gradient_penalty(_linear_image_critic(weight), real, fake.double(), rng).item() == (
        pytest.approx(0.0, abs=1e-14)
    )


def test_r1_of_linear_critic_on_images_is_half_gamma_norm_squared():
    weight = torch.full((3, 4, 4), 0.5, dtype=torch.float64)  # ‖w‖² = 48 · 0.25 = 12
    real = torch.randn(6, 3, 4, 4, dtype=torch.float64)
    assert r1_penalty(_linear_image_critic(weight), real, gamma=0.2).item() == (
        pytest.approx(0.1 * 12, rel=1e-12)
    )


def test_gradient_penalty_mixes_whole_images_with_one_alpha_each():
    # a non-linear critic: the value depends on where x̂ lies, so α's shape matters
    torch.manual_seed(0)
    critic = nn.Sequential(nn.Flatten(), nn.Linear(2 * 4 * 4, 8), nn.Tanh(), nn.Linear(8, 1))
    real, fake = torch.randn(5, 2, 4, 4), torch.randn(5, 2, 4, 4)
    got = gradient_penalty(lambda x: critic(x).squeeze(-1), real, fake,
                           torch.Generator().manual_seed(3))
    alpha = torch.rand(5, generator=torch.Generator().manual_seed(3)).view(5, 1, 1, 1)
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(mixed).sum(), mixed)
    expected = ((grad.reshape(5, -1).norm(dim=1) - 1) ** 2).mean()
    assert got.item() == pytest.approx(expected.item(), rel=1e-6)


def test_a_conditional_critic_passes_its_labels_in_a_closure():
    # d(x, y) = ⟨w, x⟩ + b_y: the label offset has no x-gradient, so the penalties are unchanged
    weight = torch.full((1, 4, 4), 0.5, dtype=torch.float64)  # ‖w‖ = 2
    offsets = torch.tensor([0.0, 5.0, -3.0], dtype=torch.float64)
    labels = torch.tensor([0, 1, 2, 1])

    def critic(x):
        return (x * weight).flatten(1).sum(dim=1) + offsets[labels]

    real, fake = torch.randn(4, 1, 4, 4).double(), torch.randn(4, 1, 4, 4).double()
    rng = torch.Generator().manual_seed(0)
    assert gradient_penalty(critic, real, fake, rng).item() == pytest.approx(1.0, rel=1e-12)
    assert r1_penalty(critic, real, gamma=1.0).item() == pytest.approx(0.5 * 4, rel=1e-12)


def test_penalties_on_2d_points_match_the_previous_formulas_exactly():
    torch.manual_seed(0)
    critic = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1))

    def d(x):
        return critic(x).squeeze(-1)

    real, fake = torch.randn(32, 2), torch.randn(32, 2)
    # the previous implementation, written out: α of shape (n, 1), norms over dim 1
    alpha = torch.rand(32, 1, generator=torch.Generator().manual_seed(7))
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(d(mixed).sum(), mixed, create_graph=True)
    old_gp = ((grad.norm(dim=1) - 1) ** 2).mean()
    leaf = real.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(d(leaf).sum(), leaf, create_graph=True)
    old_r1 = 0.5 * 0.3 * grad.pow(2).sum(dim=1).mean()

    new_gp = gradient_penalty(d, real, fake, torch.Generator().manual_seed(7))
    assert torch.equal(new_gp, old_gp)
    assert torch.equal(r1_penalty(d, real, 0.3), old_r1)


def test_weight_decay_covers_convolutions_but_not_biases_batch_norm_or_embeddings():
    critic = nn.Sequential(
        nn.Conv2d(1, 2, 3),  # weight 2·1·3·3 = 18
        nn.BatchNorm2d(2),
        nn.ConvTranspose2d(2, 1, 2),  # weight 2·1·2·2 = 8
        nn.Flatten(),
        nn.Linear(4, 3),  # weight 12
        nn.Embedding(5, 2),
    )
    with torch.no_grad():
        for p in critic.parameters():
            p.fill_(2.0)
    expected = 0.5 * 0.1 * (18 + 8 + 12) * 4
    assert weight_decay_penalty(critic, 0.1).item() == pytest.approx(expected)
    clip_weights(critic, 0.01)
    assert all(float(p.detach().abs().max()) == pytest.approx(0.01) for p in critic.parameters())
