"""docs/BOUNDS.md shows the bounds table the validator, the app and the CLI use."""

from __future__ import annotations

from optimizer.bounds import BOUNDS, bound, markdown_table
from optimizer.scenario import PARAM_LIMITS

from conftest import ROOT


def test_the_doc_shows_the_table():
    assert markdown_table() in (ROOT / "docs" / "BOUNDS.md").read_text(encoding="utf-8")


def test_patterns_match_dotted_keys_and_the_app_widgets_use_them():
    assert bound("services.ict.max_units") is BOUNDS["services.*.max_units"]
    assert bound("services.child_welfare.capacity_fte.5620") is BOUNDS["services.*.capacity_fte.*"]
    assert PARAM_LIMITS["cost_per_fte"] == (BOUNDS["services.*.cost_per_fte"].low, BOUNDS["services.*.cost_per_fte"].high)
    assert all(b.low <= b.high for b in BOUNDS.values())
