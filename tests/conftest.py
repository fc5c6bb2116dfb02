"""Shared helpers: write scenario files into a temporary folder."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from optimizer.i18n import set_language

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


@pytest.fixture(autouse=True)
def bokmal_by_default():
    """Every test starts in the default language (bokmål)."""
    set_language("nb")
    yield
    set_language("nb")


@pytest.fixture
def write_scenario(tmp_path):
    """``write_scenario("name", toml_text)`` -> path of a scenario file in a temporary folder."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / f"{name}.toml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write
