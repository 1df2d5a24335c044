"""Lesson 18 shows what its explanation claims, trained headless with its settings (seed 0) as
`test_lessons_teach.py` does for the others: the VAE covers every mode of the ring but blurs,
the GAN beside it is sharp."""

from __future__ import annotations

import pytest

from ganlab.core.metrics import evaluate
from ganlab.core.vae_trainer import VaeTrainer
from tests.app.lesson_training import lesson, trained

pytestmark = pytest.mark.slow  # 1,000 iterations of a GAN and of a VAE: 18 s CPU at load ~10

#: iterations the app reached 60 s after Space on this lesson, here on 2 shared cores at load
#: ~10: 671. A quiet machine reaches several thousand; the text's figures go to 2,500 (seeds
#: 0-2, headless). The test checks 700 and 1,000 (seed 0: 44% against 28%, 60% against 35%).
CHECKS = {700: 0.1, 1_000: 0.2}  # iteration → how far the VAE's high quality share is below


@pytest.mark.timeout(900)
def test_the_vae_covers_every_mode_but_blurs_where_the_gan_is_sharp():
    taught = lesson("18_")
    assert taught.config.model.family == "gan" and taught.compare.model.family == "vae"
    assert taught.compare.replaced("model.family", "gan") == taught.config  # only the family
    gan, vae = trained(taught.config, 0), trained(taught.compare, 0)
    assert isinstance(vae, VaeTrainer) and str(vae.generator) == str(gan.generator)
    for iterations, gap in CHECKS.items():
        for trainer in (gan, vae):
            trainer.train(iterations - trainer.iteration)
        a, b = evaluate(gan), evaluate(vae)
        assert b["modes_covered"] == 8 and b["modes_covered"] >= a["modes_covered"], iterations
        assert b["high_quality_fraction"] < a["high_quality_fraction"] - gap, (iterations, a, b)
