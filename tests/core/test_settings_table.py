"""The README's settings table is the one generated from the declarations."""

from __future__ import annotations

from pathlib import Path

import pytest

from ganlab.core.config import RunConfig
from ganlab.core.settings import leaves
from ganlab.core.settings_table import BEGIN_MARKER, END_MARKER, settings_table
from tests.extended_config import ExtendedRunConfig

README = Path(__file__).resolve().parents[2] / "README.md"


def test_table_has_one_row_per_setting_with_its_option_and_range():
    table = settings_table()
    rows = table.splitlines()[3:-1]
    assert [row.split(" | ")[0] for row in rows] == [f"| `{item.path}`" for item in
                                                     leaves(RunConfig)]
    assert "| `model.latent_dim` | `--latent-dim` | 2 | 1 – 128 dimensions | linear |  |" in table
    assert "| `training.critic_steps` | `--critic-steps, -k` | 1 | 0 – 100 updates | linear | " \
        "1; wgan, wgan-gp: 5 |" in table
    assert "| 1e-06 – 10 | log | 0.0002; wgan: 5e-05;" in table
    assert "`training.warmup_iterations` | `--warmup-iterations` | 250 | 0 – 5000 iterations" in (
        settings_table(ExtendedRunConfig))


def test_readme_holds_the_current_table():
    text = README.read_text(encoding="utf-8")
    if BEGIN_MARKER not in text:
        pytest.skip("README.md has no settings table yet (python -m ganlab.core.settings_table)")
    start = text.index(BEGIN_MARKER)
    end = text.index(END_MARKER, start) + len(END_MARKER)
    assert text[start:end] == settings_table(), (
        "README.md's settings table is stale: paste `python -m ganlab.core.settings_table`")
