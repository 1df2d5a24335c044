"""The shipped recipes: which settings each kind of data starts from."""

from ganlab.core.config import RunConfig
from ganlab.core.recipes import (
    DIGITS_CONDITIONAL_RECIPE,
    DIGITS_DCGAN_RECIPE,
    DIGITS_RECIPE,
    IMAGE_RECIPE,
    kind_switch,
    recipe_for,
    recipe_target,
)


def test_the_digits_dcgan_is_the_image_recipe_at_their_native_8x8():
    config = RunConfig().merged(DIGITS_DCGAN_RECIPE).validate()
    assert config.target.resolution == 8
    assert config.training.iterations == DIGITS_DCGAN_RECIPE["training"]["iterations"]
    for section in ("objective", "generator_optimizer", "discriminator_optimizer"):
        assert DIGITS_DCGAN_RECIPE[section] == IMAGE_RECIPE[section]
    # 8×8 keeps the width the conditional recipe was verified with; 16×16 is narrower
    assert config.model.generator.width == config.model.discriminator.width == 64
    image = RunConfig().merged(IMAGE_RECIPE).validate()
    assert image.model.generator.width == image.model.discriminator.width == 32
    assert image.model.latent_dim == config.model.latent_dim == 32


def test_unconditional_digits_train_mlps_with_the_r1_penalty():
    config = RunConfig().merged(recipe_for("digits")).validate()
    assert config.target.resolution == 8 and config.model.architecture == "mlp"
    assert (config.model.generator.hidden_layers, config.model.generator.width) == (3, 256)
    assert (config.model.discriminator.hidden_layers, config.model.discriminator.width) == \
        (3, 256)
    assert config.objective.name == "non-saturating" and config.objective.r1_gamma == 10.0
    assert config.training.generator_ema == 0.999 and config.training.batch_size == 64
    for section in ("generator_optimizer", "discriminator_optimizer"):
        assert DIGITS_RECIPE[section] == IMAGE_RECIPE[section]


def test_conditional_and_unconditional_digits_have_recipes_of_their_own():
    plain = RunConfig().merged(recipe_for("digits")).validate()
    conditional = RunConfig().merged(recipe_for("digits", conditional=True)).validate()
    assert recipe_for("digits", conditional=True) is DIGITS_CONDITIONAL_RECIPE
    assert conditional.training.iterations == \
        DIGITS_CONDITIONAL_RECIPE["training"]["iterations"]
    assert plain.training.iterations == DIGITS_RECIPE["training"]["iterations"]
    assert conditional.target.resolution == plain.target.resolution == 8
    assert recipe_for("shapes", conditional=True) is IMAGE_RECIPE  # one image recipe elsewhere


def test_the_cli_picks_the_recipe_of_a_conditional_run():
    from ganlab.cli import build_parser
    from ganlab.cli_train import config_from_args

    parser = build_parser()
    config = config_from_args(parser.parse_args(["train", "--target", "digits",
                                                 "--conditional"]))
    assert config.model.conditional
    assert config.training.iterations == DIGITS_CONDITIONAL_RECIPE["training"]["iterations"]
    plain = config_from_args(parser.parse_args(["train", "--target", "digits"]))
    assert plain.training.iterations == DIGITS_RECIPE["training"]["iterations"]


def test_going_back_to_points_resets_every_setting_any_image_recipe_sets():
    for recipe in (DIGITS_RECIPE, DIGITS_CONDITIONAL_RECIPE, DIGITS_DCGAN_RECIPE, IMAGE_RECIPE):
        images = RunConfig().merged(recipe).validate()
        back = images.merged(kind_switch(RunConfig(), images=False))
        assert back.to_dict() | {"target": {}} == RunConfig().to_dict() | {"target": {}}


def test_images_average_the_generator_and_points_do_not():
    images = RunConfig().merged(recipe_for("shapes")).validate()
    assert images.training.generator_ema == 0.999
    assert images.target.resolution == RunConfig().target.resolution  # only digits move to 8
    assert RunConfig().merged(recipe_for("grid25")).training.generator_ema == 0.0
    back = images.merged(kind_switch(RunConfig(), images=False))
    assert back.training.generator_ema == 0.0
    assert back.training.iterations == RunConfig().training.iterations


def test_custom_images_named_digits_get_the_general_image_recipe():
    assert recipe_for("digits", images="folder") is IMAGE_RECIPE


def test_moving_to_the_digits_takes_their_recipe_but_not_their_target():
    switch = kind_switch(RunConfig(), images=True, target_name="digits")
    assert "target" not in switch  # the caller chose the target
    assert switch["model"] == DIGITS_DCGAN_RECIPE["model"]  # the app's digits: a DCGAN
    assert switch["training"]["iterations"] == DIGITS_DCGAN_RECIPE["training"]["iterations"]
    assert kind_switch(RunConfig(), images=True) == IMAGE_RECIPE
    assert recipe_target("digits") == {"resolution": 8}
    assert recipe_target("shapes") == {} and recipe_target("ring8") == {}


def test_points_train_on_one_torch_thread_and_images_on_torchs_choice():
    from ganlab.cli import build_parser
    from ganlab.cli_train import config_from_args, default_threads

    parser = build_parser()
    for args, threads in ((["train"], 1), (["train", "--target", "ring8"], 1),
                          (["train", "--points-file", "points.csv"], 1),
                          (["train", "--target", "digits"], 0),
                          (["train", "--images", "folder"], 0)):
        assert default_threads(config_from_args(parser.parse_args(args))) == threads, args
