"""The shipped recipes: which settings each kind of data starts from."""

from ganlab.core.config import RunConfig
from ganlab.core.recipes import (
    DIGITS_RECIPE,
    IMAGE_RECIPE,
    kind_switch,
    recipe_for,
    recipe_target,
)


def test_the_digits_train_at_their_native_8x8_with_the_image_recipe():
    config = RunConfig().merged(recipe_for("digits")).validate()
    assert config.target.resolution == 8
    assert config.training.iterations == DIGITS_RECIPE["training"]["iterations"]
    for section in ("model", "objective", "generator_optimizer", "discriminator_optimizer"):
        assert DIGITS_RECIPE[section] == IMAGE_RECIPE[section]


def test_images_average_the_generator_and_points_do_not():
    images = RunConfig().merged(recipe_for("shapes")).validate()
    assert images.training.generator_ema == 0.999
    assert images.target.resolution == RunConfig().target.resolution  # only digits move to 8
    assert RunConfig().merged(recipe_for("grid25")).training.generator_ema == 0.0
    back = images.merged(kind_switch(RunConfig(), images=False))
    assert back.training.generator_ema == 0.0 and back.training.iterations == 15000


def test_custom_images_named_digits_get_the_general_image_recipe():
    assert recipe_for("digits", images="folder") is IMAGE_RECIPE


def test_moving_to_the_digits_takes_their_recipe_but_not_their_target():
    switch = kind_switch(RunConfig(), images=True, target_name="digits")
    assert "target" not in switch  # the caller chose the target
    assert switch["training"]["iterations"] == DIGITS_RECIPE["training"]["iterations"]
    assert kind_switch(RunConfig(), images=True) == IMAGE_RECIPE
    assert recipe_target("digits") == {"resolution": 8}
    assert recipe_target("shapes") == {} and recipe_target("ring8") == {}
