"""The grid a study describes: how many runs, their ids and the settings each one gets."""

from __future__ import annotations

import pytest

from ganlab.core.config import RunConfig
from ganlab.core.objectives import get_objective
from ganlab.study.grid import MAX_RUNS, StudySpec, StudySpecError, expand, run_id_for
from ganlab.study.study_file import spec_from_fields


def spec(**fields) -> StudySpec:
    return spec_from_fields(fields, "test")


def test_the_grid_crosses_objectives_settings_budgets_and_seeds():
    runs = expand(spec(target="ring8", objectives=["minimax", "wgan-gp"], seeds=3,
                       iterations=[100, 300], settings={"d_lr": [1e-4, 1e-3], "g_width": 16}))
    assert len(runs) == 2 * 2 * 2 * 3
    assert len({run.run_id for run in runs}) == len(runs)
    first = runs[0]
    assert first.run_id == "minimax-d_lr0.0001-i100-s0"
    assert first.axes == {"objective": "minimax", "d_lr": 1e-4, "iterations": 100, "seed": 0}
    config = RunConfig.from_dict(first.config)
    assert config.target.name == "ring8"
    assert config.objective.name == "minimax"
    assert config.discriminator_optimizer.learning_rate == 1e-4
    assert config.model.generator.width == 16  # fixed: in every config, not in the id
    assert config.training.iterations == 100
    assert config.training.seed == 0
    seeds = sorted({RunConfig.from_dict(r.config).training.seed for r in runs})
    assert seeds == [0, 1, 2]
    # everything else is the target's recipe, untouched
    assert config.generator_optimizer.learning_rate == RunConfig().generator_optimizer.learning_rate


def test_explicit_seeds_and_the_recipes_budget_and_objective():
    runs = expand(spec(target="grid25", seeds=[3, 7]))
    assert [r.run_id for r in runs] == [f"non-saturating-i{RunConfig().training.iterations}-s3",
                                       f"non-saturating-i{RunConfig().training.iterations}-s7"]


def test_settings_by_dotted_path_and_paper_defaults_per_objective():
    runs = expand(spec(target="ring8", objectives=["wgan", "wgan-gp"], paper_defaults=True,
                       settings={"training.batch_size": [32, 64]}))
    for run in runs:
        config = RunConfig.from_dict(run.config)
        paper = get_objective(run.axes["objective"]).paper
        assert config.discriminator_optimizer.name == paper.optimizer
        assert config.discriminator_optimizer.learning_rate == paper.discriminator_lr
        assert config.training.critic_steps == paper.critic_steps
        assert config.training.batch_size == run.axes["batch_size"]  # settings win over paper


def test_run_ids_are_file_names():
    assert run_id_for({"objective": "x", "device": "cuda:1/a b", "iterations": 5, "seed": 0}) \
        == "x-devicecuda_1_a_b-i5-s0"


@pytest.mark.parametrize(("fields", "message"), [
    ({"settings": {"d_lrr": 0.1}}, "d_lrr: no such setting"),
    ({"settings": {"seed": [1, 2]}}, "seed: set it with `seeds`"),
    ({"settings": {"d_lr": [1e-3, 50.0]}}, "discriminator_optimizer.learning_rate = 50.0"),
    ({"settings": {"d_lr": [1e-3, 1e-3]}}, "given twice"),
    ({"settings": {"g_width": "wide"}}, "model.generator.width = 'wide'"),
    ({"objectives": ["minimax", "gan"]}, "objectives: unknown 'gan'"),
    ({"seeds": 0}, "seeds 0: expected a count"),
    ({"seeds": [1, "2"]}, "seeds: expected a whole number"),
    ({"iterations": [0]}, "iterations 0: a budget is at least 1"),
    ({"target": "moon"}, "target 'moon': not in the catalogue"),
    ({"target": "custom"}, "target custom needs a points_file"),
    ({"evaluations": 0}, "evaluations 0"),
])
def test_a_bad_grid_is_one_line_naming_what(fields, message):
    with pytest.raises(StudySpecError) as caught:
        expand(spec(**fields))
    text = str(caught.value)
    assert text.startswith("test: ")
    assert message in text
    assert "\n" not in text


def test_a_grid_too_large_is_refused_before_anything_runs():
    with pytest.raises(StudySpecError, match=f"at most {MAX_RUNS:,}"):
        expand(spec(seeds=1000, settings={"g_width": list(range(8, 19))}))


def test_points_file_target_carries_the_points_by_reference(tmp_path):
    import numpy as np

    from ganlab.core.data_store import DATA

    points = np.random.default_rng(0).normal(size=(50, 2))
    np.save(tmp_path / "p.npy", points)
    runs = expand(spec(points_file=str(tmp_path / "p.npy")))
    target = RunConfig.from_dict(runs[0].config).target
    assert target.name == "custom"
    assert np.allclose(DATA.get(target.data), points)


def test_a_base_config_is_where_every_run_starts(tmp_path):
    base = RunConfig().merged({"target": {"name": "spiral"}, "model": {"latent_dim": 5},
                               "training": {"iterations": 77}})
    (tmp_path / "base.json").write_text(base.to_json())
    runs = expand(spec(config=str(tmp_path / "base.json"), seeds=2))
    assert [r.run_id for r in runs] == ["non-saturating-i77-s0", "non-saturating-i77-s1"]
    config = RunConfig.from_dict(runs[1].config)
    assert (config.target.name, config.model.latent_dim, config.training.seed) == \
        ("spiral", 5, 1)
    (tmp_path / "bad.json").write_text('{"model": {"latent_dim": "five"}}')
    with pytest.raises(StudySpecError, match=r"^test: config .*bad.json: "):
        spec(config=str(tmp_path / "bad.json"))
