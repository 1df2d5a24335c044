"""The shipped recipes: the settings a run starts from, by kind of data.

Points start from `RunConfig()`'s own defaults (3×128 MLPs, Adam 10⁻³ with β = (0, 0.99), the
cosine-tail schedule over 9,000 iterations, R1 γ = 0.1 taken lazily on every 8th critic update
with weight 8γ: chosen on grid25 and ring8 with `ganlab study`,
`benchmarks/recipe_schedule_study.toml`, `benchmarks/recipe_lazy_r1_study.toml`). Images start
from `IMAGE_RECIPE` laid over them: a DCGAN as in Radford et al. (Adam at 2·10⁻⁴ with β = (0.5,
0.999), batch 64) sized for a laptop CPU at 16×16 (32-dimensional z, width 32: G's 4×4 layer
and D's last have 64 channels; see `IMAGE_DCGAN_WIDTH`),
WGAN-GP's λ = 10 (the images value), no R1 (and R1 on every update where a recipe adds it), a
constant learning rate, an average of the generator's weights (β = 0.999, `core/ema.py`:
samples come from it) and a budget of iterations that fits in about three minutes on two CPU
cores at 16×16.

The embedded digits train at 8×8, their native resolution (scikit-learn's digits are 8×8 scans;
16 and 32 are upscaled copies that carry no more information): a step there costs about a tenth
of a 16×16 step (measured, one thread: 149 against 12.6 it/s), so the same three minutes buy
many more iterations, which is what the quality goals of the README ("Images: quality of the
shipped image recipe") needed. They have two recipes, by `recipe_for(..., conditional)`: the
conditional one (`DIGITS_CONDITIONAL_RECIPE`) is the image recipe's DCGAN, with D's learning
rate 3× G's, for 10,000 iterations (68 it/s on one thread at 8×8, so ~150 s; 66 s on two quiet
threads); the unconditional one (`DIGITS_RECIPE`) swaps the DCGAN for MLPs with the R1 penalty,
also for 10,000 iterations (90 it per CPU second on one busy thread, so ≤ ~110 s).
`--resolution 16` keeps these counts, which there take longer.
"""

from __future__ import annotations

from typing import Any

#: the image recipe's DCGAN width at 16×16: a step costs ~30 ms of one CPU thread (width 64:
#: ~80 ms, so the app drew ~11 frames per second; the MACs grow 4× per doubling of the width),
#: and after 3,000 iterations on the 16×16 digits it scored no worse than width 64 (seed 1: FD
#: 11.1× the real-vs-real floor against 13.2×, coverage 0.59 against 0.58; README, "The app
#: training on pictures")
IMAGE_DCGAN_WIDTH = 32

IMAGE_RECIPE: dict[str, Any] = {
    "model": {"latent_dim": 32, "generator": {"width": IMAGE_DCGAN_WIDTH},
              "discriminator": {"width": IMAGE_DCGAN_WIDTH}},
    "objective": {"gradient_penalty_weight": 10.0, "r1_gamma": 0.0, "r1_interval": 1},
    "generator_optimizer": {"learning_rate": 2e-4, "beta1": 0.5, "beta2": 0.999},
    "discriminator_optimizer": {"learning_rate": 2e-4, "beta1": 0.5, "beta2": 0.999},
    "training": {"batch_size": 64, "iterations": 3000, "lr_schedule": "constant",
                 "generator_ema": 0.999},
}

#: the digits' DCGAN: natively 8×8 (see above), so more iterations in the same three minutes;
#: what the app's gallery gives the digits (a workshop watches a DCGAN learn them); width 64,
#: with which the conditional recipe below was verified (at 8×8 a step is ~8 ms anyway)
DIGITS_DCGAN_RECIPE: dict[str, Any] = IMAGE_RECIPE | {
    "model": {"latent_dim": 32, "generator": {"width": 64}, "discriminator": {"width": 64}},
    "target": {"resolution": 8},
    "training": IMAGE_RECIPE["training"] | {"iterations": 10000},
}

#: the digits, conditional (`--conditional`): the digits' DCGAN with two time-scale rates
#: (Heusel et al. 2017: D learns at 3× G's rate, 6·10⁻⁴), which meets every conditional goal
#: on seeds 1-3 (FD 1.64-1.73× the real-vs-real floor, scored with the held-out set's class
#: counts as labels; equal rates: 1.87-2.25×; README, "Images: quality …")
DIGITS_CONDITIONAL_RECIPE: dict[str, Any] = DIGITS_DCGAN_RECIPE | {
    "discriminator_optimizer": DIGITS_DCGAN_RECIPE["discriminator_optimizer"]
    | {"learning_rate": 6e-4},
}

#: the digits, unconditional: MLPs (3 × 256) with the R1 penalty (γ = 10). The 8×8 DCGAN is
#: one hidden layer deep each side (4×4 → 8×8), which without labels drew in-between digits
#: (FD 12.8× the real-vs-real floor); three-layer MLPs collapse to a few digits without R1
#: (6 classes of 10) and with it meet every goal (README, "Images: quality …")
DIGITS_RECIPE: dict[str, Any] = DIGITS_DCGAN_RECIPE | {
    "model": {"latent_dim": 32, "architecture": "mlp",
              "generator": {"hidden_layers": 3, "width": 256, "activation": "relu"},
              "discriminator": {"hidden_layers": 3, "width": 256, "activation": "leaky_relu"}},
    "objective": IMAGE_RECIPE["objective"] | {"r1_gamma": 10.0},
    "training": DIGITS_DCGAN_RECIPE["training"] | {"iterations": 10000},
}


def is_image_target(target_name: str, images: str | None = None) -> bool:
    """Whether a target (by name, or custom with an images path) holds images."""
    from ganlab.core.targets import IMAGE_TARGETS

    return target_name in IMAGE_TARGETS or images is not None


def recipe_for(target_name: str, images: str | None = None,
               conditional: bool = False) -> dict[str, Any]:
    """The partial configuration to lay over `RunConfig()` for this target (and for a
    conditional run of it: the digits have a recipe of their own for each)."""
    if target_name == "digits" and images is None:
        return DIGITS_CONDITIONAL_RECIPE if conditional else DIGITS_RECIPE
    return IMAGE_RECIPE if is_image_target(target_name, images) else {}


def kind_switch(base, images: bool, target_name: str | None = None) -> dict[str, Any]:
    """The partial configuration that moves a run to another kind of data: the image recipe
    (the named target's own, without its target settings: the caller chose the target; for
    the digits, `DIGITS_DCGAN_RECIPE`, conditional or not), or back to `base`'s (the points
    recipe's) values of every setting any image recipe sets."""
    if images:  # the app's digits keep the DCGAN: a workshop watches a DCGAN learn them
        recipe = (DIGITS_DCGAN_RECIPE if target_name == "digits"
                  else recipe_for(target_name) if target_name is not None else IMAGE_RECIPE)
        return {key: value for key, value in recipe.items() if key != "target"}
    return _values_at(base.to_dict(), _every_setting(IMAGE_RECIPE, DIGITS_DCGAN_RECIPE,
                                                     DIGITS_RECIPE, DIGITS_CONDITIONAL_RECIPE))


def recipe_target(target_name: str) -> dict[str, Any]:
    """The target settings a recipe picks for a target chosen by name (the digits: 8×8)."""
    return dict(recipe_for(target_name).get("target", {}))


def _values_at(values: dict, shape: dict) -> dict:
    return {key: _values_at(values[key], sub) if isinstance(sub, dict) else values[key]
            for key, sub in shape.items()}


def _every_setting(*recipes: dict) -> dict:
    """The union of the recipes' settings (their shape: what going back to points resets),
    without their target settings."""
    union: dict = {}
    for recipe in recipes:
        for key, value in recipe.items():
            if key == "target":
                continue
            if isinstance(value, dict):
                union[key] = _every_setting(union.get(key, {}), value)
            else:
                union[key] = value
    return union
