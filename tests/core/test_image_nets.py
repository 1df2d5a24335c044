"""Image generators and discriminators: shapes, labels, errors, initialisation, one update."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from ganlab.core.image_nets import (
    ARCHITECTURES,
    CONDITIONINGS,
    build_image_discriminator,
    build_image_generator,
    init_dcgan_weights,
)

LATENT = 8
CONDITIONS = [(0, "concat"), (4, "concat"), (4, "projection")]  # (num_classes, conditioning)


def _nets(architecture, shape, num_classes=0, conditioning="concat", width=8):
    generator = build_image_generator(LATENT, shape, architecture, width=width,
                                      num_classes=num_classes)
    discriminator = build_image_discriminator(shape, architecture, width=width,
                                              num_classes=num_classes, conditioning=conditioning)
    return generator, discriminator


@pytest.mark.parametrize(("num_classes", "conditioning"), CONDITIONS)
@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("size", [8, 16, 32, 64])
@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_output_shapes_and_ranges(architecture, size, channels, num_classes, conditioning):
    torch.manual_seed(0)
    shape = (channels, size, size)
    generator, discriminator = _nets(architecture, shape, num_classes, conditioning)
    labels = torch.tensor([0, 3, 1]) if num_classes else None
    images = generator(torch.randn(3, LATENT), labels)
    assert images.shape == (3, *shape)
    assert images.abs().max() <= 1.0
    assert images.std() > 1e-3  # not a constant image
    logits = discriminator(images, labels)
    assert logits.shape == (3,)
    assert torch.isfinite(logits).all()


def test_dcgan_depth_follows_the_resolution():
    for size, upsamplings in [(8, 1), (16, 2), (32, 3), (64, 4)]:
        generator, discriminator = _nets("dcgan", (1, size, size), width=16)
        convs_t = [m for m in generator.modules() if isinstance(m, nn.ConvTranspose2d)]
        convs = [m for m in discriminator.modules() if isinstance(m, nn.Conv2d)]
        assert len(convs_t) == len(convs) == upsamplings
        assert convs_t[-1].in_channels == 16  # width = channels of G's last hidden map
        assert convs[0].out_channels == 16  # and of D's first
    # the DESIGN.md reference at 16×16: G 32 → 128·4·4 → 64 → 1, D 64 → 128
    generator = build_image_generator(32, (1, 16, 16), width=64)
    assert generator.body[0].out_features == 128 * 4 * 4


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_discriminator_has_no_batch_norm_so_real_and_fake_can_share_a_forward(architecture):
    torch.manual_seed(0)
    _, discriminator = _nets(architecture, (1, 16, 16), num_classes=4)
    assert not any(isinstance(m, nn.modules.batchnorm._BatchNorm)
                   for m in discriminator.modules())
    a, b = torch.randn(3, 1, 16, 16), torch.randn(5, 1, 16, 16)
    ya, yb = torch.tensor([0, 1, 2]), torch.tensor([3, 3, 0, 1, 2])
    together = discriminator(torch.cat([a, b]), torch.cat([ya, yb]))
    torch.testing.assert_close(together[:3], discriminator(a, ya))


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_changing_the_label_changes_the_generated_image(architecture):
    torch.manual_seed(0)
    generator, _ = _nets(architecture, (1, 16, 16), num_classes=4)
    generator.eval()  # batch-norm running statistics: each image depends on its own input only
    z = torch.randn(1, LATENT).expand(4, LATENT)
    images = generator(z, torch.arange(4))
    differences = (images[1:] - images[0]).abs().flatten(1).max(dim=1).values
    assert (differences > 1e-3).all()
    # and the same label with the same z gives the same image
    torch.testing.assert_close(generator(z[:1], torch.tensor([2])), images[2:3])


@pytest.mark.parametrize(("architecture", "conditioning"),
                         [(a, c) for a in ARCHITECTURES for c in CONDITIONINGS])
def test_discriminator_logit_depends_on_the_label(architecture, conditioning):
    torch.manual_seed(0)
    _, discriminator = _nets(architecture, (3, 8, 8), 4, conditioning)
    x = torch.randn(1, 3, 8, 8).expand(4, 3, 8, 8)
    logits = discriminator(x, torch.arange(4))
    assert (logits[1:] - logits[0]).abs().min() > 1e-4


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_projection_logit_is_psi_of_phi_plus_class_inner_product(architecture):
    torch.manual_seed(0)
    _, discriminator = _nets(architecture, (1, 8, 8), 3, "projection")
    x, labels = torch.randn(5, 1, 8, 8), torch.tensor([0, 1, 2, 2, 0])
    phi = discriminator.features(x)
    head = discriminator.head
    expected = phi @ head.linear.weight[0] + head.linear.bias + (
        head.class_embedding.weight[labels] * phi).sum(dim=1)
    torch.testing.assert_close(discriminator(x, labels), expected)


@pytest.mark.parametrize("shape", [(2, 16, 16), (1, 16, 8), (1, 12, 12), (1, 128, 128),
                                   (1, 16), "image"])
def test_bad_shapes_are_rejected_naming_the_allowed_values(shape):
    with pytest.raises(ValueError, match=r"\(1, 3\)|\(8, 16, 32, 64\)|channels, height, width"):
        build_image_generator(LATENT, shape)
    with pytest.raises(ValueError, match=r"\(1, 3\)|\(8, 16, 32, 64\)|channels, height, width"):
        build_image_discriminator(shape)


def test_bad_options_are_rejected():
    with pytest.raises(ValueError, match="architecture"):
        build_image_generator(LATENT, (1, 8, 8), architecture="resnet")
    with pytest.raises(ValueError, match="conditioning"):
        build_image_discriminator((1, 8, 8), num_classes=3, conditioning="film")
    with pytest.raises(ValueError, match="activation"):
        build_image_discriminator((1, 8, 8), activation="swish")
    with pytest.raises(ValueError, match="width"):
        build_image_generator(LATENT, (1, 8, 8), width=0)


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_bad_labels_are_rejected(architecture):
    generator, discriminator = _nets(architecture, (1, 8, 8), num_classes=3)
    plain_generator, plain_discriminator = _nets(architecture, (1, 8, 8))
    z, x = torch.randn(2, LATENT), torch.randn(2, 1, 8, 8)
    with pytest.raises(ValueError, match="unconditional"):
        plain_generator(z, torch.tensor([0, 1]))
    with pytest.raises(ValueError, match="unconditional"):
        plain_discriminator(x, torch.tensor([0, 1]))
    with pytest.raises(ValueError, match="conditional on 3 classes"):
        generator(z)
    with pytest.raises(ValueError, match="conditional on 3 classes"):
        discriminator(x)
    for bad, message in [(torch.tensor([0, 3]), r"\[0, 3\)"), (torch.tensor([-1, 0]), r"\[0, 3\)"),
                         (torch.tensor([0, 1, 2]), "shape"), (torch.tensor([0.0, 1.0]), "integer")]:
        with pytest.raises(ValueError, match=message):
            generator(z, bad)
        with pytest.raises(ValueError, match=message):
            discriminator(x, bad)


def test_dcgan_initialisation_statistics():
    torch.manual_seed(0)
    generator, discriminator = _nets("dcgan", (3, 32, 32), 4, "projection", width=32)
    conv_weights = torch.cat([m.weight.flatten() for net in (generator, discriminator)
                              for m in net.modules()
                              if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear))])
    assert conv_weights.numel() > 100_000
    assert conv_weights.mean().item() == pytest.approx(0.0, abs=1e-3)
    assert conv_weights.std().item() == pytest.approx(0.02, rel=0.02)
    norms = [m for m in generator.modules() if isinstance(m, nn.BatchNorm2d)]
    scales = torch.cat([m.weight for m in norms])
    assert scales.mean().item() == pytest.approx(1.0, abs=0.01)
    assert 0.01 < scales.std().item() < 0.03
    biases = [m.bias for net in (generator, discriminator) for m in net.modules()
              if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear, nn.BatchNorm2d))
              and m.bias is not None]
    assert all((b == 0).all() for b in biases)


def test_mlp_keeps_torch_default_initialisation_and_init_applies_on_demand():
    torch.manual_seed(0)
    generator, _ = _nets("mlp", (1, 16, 16), width=64)
    first = generator.body[0]  # Linear(8, 64): default weights ~ U(±1/√8), std ≈ 0.204
    assert first.weight.std().item() == pytest.approx(1 / (8**0.5 * 3**0.5), rel=0.15)
    init_dcgan_weights(generator)
    assert first.weight.std().item() == pytest.approx(0.02, rel=0.2)
    assert (first.bias == 0).all()


@pytest.mark.parametrize(("architecture", "conditioning"), [("dcgan", "concat"),
                                                           ("dcgan", "projection"),
                                                           ("mlp", "concat")])
def test_one_adam_step_lowers_the_discriminator_and_the_generator_loss(architecture,
                                                                      conditioning):
    torch.manual_seed(0)
    generator, discriminator = _nets(architecture, (1, 16, 16), 4, conditioning, width=16)
    real = torch.ones(16, 1, 16, 16)
    labels = torch.arange(16) % 4
    z = torch.randn(16, LATENT)

    def d_loss():  # -log D(real) - log(1 - D(fake)), with logits
        fake = generator(z, labels).detach()
        return (F.softplus(-discriminator(real, labels)).mean()
                + F.softplus(discriminator(fake, labels)).mean())

    def g_loss():  # non-saturating: -log D(G(z))
        return F.softplus(-discriminator(generator(z, labels), labels)).mean()

    def adam_step(loss_fn, parameters):
        optimizer = torch.optim.Adam(parameters, lr=5e-3)
        loss = loss_fn()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item(), loss_fn().item()

    before, after = adam_step(d_loss, discriminator.parameters())
    assert before == pytest.approx(2 * 0.6931, abs=0.1)  # D ≈ 1/2 everywhere at the start
    assert after < before - 0.01
    before, after = adam_step(g_loss, generator.parameters())
    assert after < before - 0.002
    # a few more D steps separate the all-ones images from the fakes
    optimizer = torch.optim.Adam(discriminator.parameters(), lr=5e-3)
    for _ in range(15):
        optimizer.zero_grad()
        d_loss().backward()
        optimizer.step()
    with torch.no_grad():
        fake = generator(z, labels)
        assert torch.sigmoid(discriminator(real, labels)).min() > 0.9
        assert torch.sigmoid(discriminator(fake, labels)).max() < 0.1


def test_concat_conditioning_widens_the_discriminator_input():
    _, dcgan = _nets("dcgan", (3, 16, 16), num_classes=5, conditioning="concat")
    assert dcgan.features[0].in_channels == 3 + 1  # one learned h×w label channel
    _, mlp = _nets("mlp", (3, 16, 16), num_classes=5, conditioning="concat")
    assert mlp.features[1].in_features == 3 * 16 * 16 + 5  # one-hot appended
    _, projection = _nets("mlp", (3, 16, 16), num_classes=5, conditioning="projection")
    assert projection.label_input is None
    assert projection.features[1].in_features == 3 * 16 * 16


@pytest.mark.parametrize(("c_in", "c_out", "size", "bias"),
                         [(1, 8, 16, True), (2, 4, 8, True), (3, 8, 32, False)])
def test_the_image_layers_compute_what_torchs_convolutions_do(c_in, c_out, size, bias):
    """D's first layer (im2col + one product) and G's last (one product + col2im): the same
    outputs and gradients, for input, weight and bias, as conv2d / conv_transpose2d."""
    from ganlab.core.image_nets import ImageConv2d, ImageConvTranspose2d

    torch.manual_seed(0)
    for layer, reference, x_shape in (
            (ImageConv2d(c_in, c_out, 4, stride=2, padding=1, bias=bias), F.conv2d,
             (5, c_in, size, size)),
            (ImageConvTranspose2d(c_out, c_in, 4, stride=2, padding=1, bias=bias),
             F.conv_transpose2d, (5, c_out, size // 2, size // 2))):
        x = torch.randn(x_shape, requires_grad=True)
        y = layer(x)
        upstream = torch.randn_like(y)
        grads = torch.autograd.grad(y, [x, *layer.parameters()], upstream)
        x_ref = x.detach().clone().requires_grad_()
        y_ref = reference(x_ref, layer.weight, layer.bias, stride=2, padding=1)
        grads_ref = torch.autograd.grad(y_ref, [x_ref, *layer.parameters()], upstream)
        assert y.shape == y_ref.shape
        torch.testing.assert_close(y, y_ref, atol=1e-5, rtol=1e-5)
        for mine, theirs in zip(grads, grads_ref, strict=True):
            torch.testing.assert_close(mine, theirs, atol=1e-4, rtol=1e-4)


def test_the_image_layers_keep_the_parameter_names_sessions_and_exports_hold():
    generator, discriminator = _nets("dcgan", (1, 16, 16), width=8)
    assert list(generator.state_dict()) == [
        "body.0.weight", "body.2.weight", "body.2.bias", "body.2.running_mean",
        "body.2.running_var", "body.2.num_batches_tracked", "body.4.weight",
        "body.5.weight", "body.5.bias", "body.5.running_mean", "body.5.running_var",
        "body.5.num_batches_tracked", "body.7.weight", "body.7.bias"]
    assert isinstance(generator.body[7], nn.ConvTranspose2d)
    assert isinstance(discriminator.features[0], nn.Conv2d)
