"""The YAML config: TaskSpec for the task, `enabled` + the stage's own options per section."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.config import load_config
from pipelines.errors import ConfigError
from pipelines.profile import ProfileOptions
from pipelines.task import TaskSpec
from pipelines.validate import ValidateOptions, ValidationPolicy


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text("name: t\nsource: data.csv\n" + text, encoding="utf-8")
    return path


def test_old_classification_kind_lets_the_data_decide(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, "task: {kind: classification, target: Survived}\n"))
    assert config.task == TaskSpec(target="Survived", kind="auto")


def test_task_takes_every_taskspec_field(tmp_path: Path) -> None:
    text = (
        "task:\n  target: Survived\n  kind: binary\n  positive_label: '1'\n"
        "  group: family\n  time: booked\n  sensitive: [Sex, Age]\n"
    )
    task = load_config(_write(tmp_path, text)).task
    assert task.kind == "binary" and task.positive_label == "1"
    assert (task.group, task.time, task.sensitive) == ("family", "booked", ("Sex", "Age"))


def test_every_profile_option_is_reachable_from_yaml(tmp_path: Path) -> None:
    changed = {
        name: field.default
        for name, field in ProfileOptions.model_fields.items()
        if field.default is not None
    }
    lines = "".join(f"    {name}: {value!r}\n" for name, value in changed.items())
    config = load_config(_write(tmp_path, f"profile:\n  enabled: false\n  options:\n{lines}"))
    assert not config.profile.enabled
    assert config.profile.options.model_fields_set == set(changed)
    bins = load_config(_write(tmp_path, "profile: {options: {histogram_bins: 12}}\n"))
    assert bins.profile.options.histogram_bins == 12


def test_validation_policy_and_gx_switch_from_yaml(tmp_path: Path) -> None:
    text = (
        "validate:\n  schema: schemas.penguins:PenguinsRaw\n  options:\n"
        "    great_expectations: false\n"
        "    policy: {max_invalid_fraction: 0.05, severities: {sex: warn}}\n"
    )
    section = load_config(_write(tmp_path, text)).validate_
    assert section.schema_ref == "schemas.penguins:PenguinsRaw"
    assert section.options == ValidateOptions(
        great_expectations=False,
        policy=ValidationPolicy(max_invalid_fraction=0.05, severities={"sex": "warn"}),
    )


def test_a_policy_file_and_an_inline_policy_are_one_too_many(tmp_path: Path) -> None:
    text = "validate:\n  policy: strict.yaml\n  options: {policy: {max_invalid_fraction: 0}}\n"
    with pytest.raises(ConfigError, match=r"keep one"):
        load_config(_write(tmp_path, text))


def test_unknown_option_names_its_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"`profile\.options\.bins`"):
        load_config(_write(tmp_path, "profile: {options: {bins: 3}}\n"))
