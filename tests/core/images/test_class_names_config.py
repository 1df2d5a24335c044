"""Class names travel in the configuration (`TargetConfig.class_names`): validated on read,
used by the target built from stored images, and kept by a session, so a reopened session on a
folder of labelled sub-folders still shows the sub-folders' names."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ganlab.core.config import MAX_CLASS_NAME_LENGTH, MAX_CLASS_NAMES, ConfigError, RunConfig
from ganlab.core.data_store import DATA
from ganlab.core.session_file import Session, load_session, save_session
from ganlab.core.targets import make_target
from ganlab.core.trainer import Trainer
from tests.app.test_image_class_names import NAMES, two_named_folders
from tests.image_configs import tiny_image_config

LABELS = DATA.put(np.arange(6, dtype=np.int64) % 2)


def with_names(names) -> dict:
    return {"target": {"name": "custom", "data": DATA.put(np.zeros((6, 1, 8, 8), np.float32)),
                       "labels": LABELS, "class_names": names}}


def test_class_names_round_trip_through_json_and_name_the_stored_images_classes():
    config = RunConfig.from_dict(with_names(["cats", "dogs"])).validate()
    again = RunConfig.from_json(config.to_json()).validate()
    assert again.target.class_names == ["cats", "dogs"]
    assert make_target(again.target).class_names == ("cats", "dogs")
    assert RunConfig().target.class_names is None
    too_few = RunConfig.from_dict(with_names(["cats"])).validate()  # labels 0 and 1: numbered
    assert make_target(too_few.target).class_names == ("0", "1")


@pytest.mark.parametrize(("names", "message"), [
    (["cats", ""], r"class_names\[1\] must be a name of 1 to 255"),
    (["x" * (MAX_CLASS_NAME_LENGTH + 1)], r"class_names\[0\] must be a name"),
    (["cats", 3], r"class_names\[1\] must be a name"),
    (["c"] * (MAX_CLASS_NAMES + 1), "has 1,001 names; at most 1,000"),
])
def test_bad_class_names_are_refused_on_read_naming_the_field(names, message):
    with pytest.raises(ConfigError, match=message):
        RunConfig.from_json(json.dumps(with_names(names))).validate()


def test_class_names_need_labels_and_a_list():
    with pytest.raises(ConfigError, match=r"class_names is set but target\.labels is not"):
        RunConfig.from_dict({"target": {"class_names": ["a"]}}).validate()
    with pytest.raises(ConfigError, match=r"target\.class_names must be a list"):
        RunConfig.from_dict({"target": {"class_names": "cats"}})
    longest = ["x" * MAX_CLASS_NAME_LENGTH] * MAX_CLASS_NAMES  # the bounds themselves pass
    assert RunConfig.from_dict(with_names(longest)).validate().target.class_names == longest


def test_a_session_on_a_named_folder_reopens_with_the_sub_folders_names(tmp_path):
    config = tiny_image_config(conditional=True)
    config.target.name, config.target.images = "custom", str(two_named_folders(tmp_path / "p"))
    trainer = Trainer(config.validate())
    assert trainer.target.class_names == NAMES
    trainer.train(1)
    path = save_session(Session(trainer), tmp_path / "pets.ganlab")
    restored = load_session(path).trainer
    assert restored.config.target.class_names == list(NAMES)
    assert restored.target.class_names == NAMES
