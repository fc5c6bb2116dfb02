"""Titles that say what is shown: the starting point and what was changed from it, in words.

``change_phrases`` compares two scenario tables (e.g. the shipped file and the app's edits) and says
each difference in a few words ("+ Tana", "uten FTE-bånd", "IKT: kostnad per årsverk 700 000 kr");
``edited_title`` and ``file_stem`` build titles and download names from them, and ``ab_labels``
names the two sides of a comparison ("A: Grunnscenario", "B: + Tana, uten FTE-bånd").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from optimizer.i18n import format_nok, format_number, format_percent, tr
from optimizer.labels import key_label, part_name, scenario_label
from optimizer.scenario import Scenario
from optimizer.views import cost_key_label, join_names, method_label

SKIPPED = ("name", "description", "members", "founding", "extends")  # members are said from the scenarios
NOK_KEYS = ("cost_per_fte", "fixed_cost", "km_rate")
MAX_PHRASES = 4  # more changes than this are counted, not listed, in a title


def _leaves(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, Mapping) and value:
            out.update(_leaves(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def table_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """Dotted keys whose value differs between two scenario tables (``None``: removed in ``after``)."""
    a, b = _leaves(before), _leaves(after)
    return {k: b.get(k) for k in dict.fromkeys([*a, *b]) if a.get(k) != b.get(k) and not k.startswith(SKIPPED)}


def _names(scenario: Scenario, members: list[str]) -> str:
    return join_names([scenario.name(m) for m in members])


def member_phrases(before: Scenario, after: Scenario) -> list[str]:
    """``+ Tana`` for members who joined, ``uten Gamvik`` for members who left."""
    joined = [m for m in after.members if m not in before.members]
    left = [m for m in before.members if m not in after.members]
    out = []
    if joined:
        out.append("+ " + _names(after, joined))
    if left:
        out.append(tr("uten ", "without ") + _names(before, left))
    return out


def value_text(key: str, value: Any) -> str:
    """A scenario value in words: switches on/off, methods by name, amounts in kroner, shares in per cent."""
    last = key.rsplit(".", 1)[-1]
    if isinstance(value, bool):
        return tr("på", "on") if value else tr("av", "off")
    if key == "settlement.method":
        return method_label(str(value))
    if key == "cost_key.method":
        return cost_key_label(str(value))
    if key in ("fairness.fte_band", "cost_key.fixed_share") and isinstance(value, (int, float)):
        return format_percent(100 * value, 0)
    if last in NOK_KEYS and isinstance(value, (int, float)):
        return format_nok(value)
    if isinstance(value, (int, float)):
        return format_number(value)
    if isinstance(value, list):  # e.g. hosts: municipality numbers by name
        return join_names([part_name(str(v)) for v in value]) or "–"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {value_text(f'{key}.{k}', v)}" for k, v in value.items()) or "–"
    return str(value)


def key_phrase(key: str, value: Any) -> str:
    """One change in words; switches read "uten …"/"med …", values "label verdi"."""
    if key == "fairness.enabled":
        return tr("med rettferdighetsregler", "with fairness rules") if value else tr(
            "uten rettferdighetsregler", "without fairness rules")
    if key == "fairness.fte_band" and value is None:
        return tr("uten FTE-bånd", "without FTE band")
    if key == "fairness.individual_rationality" and value is False:
        return tr("uten «ingen betaler mer enn alene»", "without “nobody pays more than alone”")
    if key == "travel.winter":
        return tr("vinterføre", "winter driving") if value else tr("sommerføre", "summer driving")
    if key.startswith("services.") and key.endswith(".enabled"):
        service = key_label(key).split(":")[0]
        return (tr("med ", "with ") if value else tr("uten ", "without ")) + service
    if value is None:
        return tr(f"{key_label(key)}: som standard", f"{key_label(key)}: default")
    return f"{key_label(key)} {value_text(key, value)}"


def change_phrases(before_table: Mapping[str, Any], after_table: Mapping[str, Any],
                   before: Scenario, after: Scenario) -> list[str]:
    """Every difference from ``before`` to ``after`` in words: members first, then the other keys."""
    return member_phrases(before, after) + [key_phrase(k, v) for k, v in table_changes(before_table, after_table).items()]


def describe(phrases: list[str]) -> str:
    """Phrases joined for a title: ``+ Tana, uten FTE-bånd``; beyond ``MAX_PHRASES`` counted."""
    shown = phrases[:MAX_PHRASES]
    rest = len(phrases) - len(shown)
    if rest:
        shown.append(tr(f"{rest} endringer til", f"{rest} more changes"))
    return ", ".join(shown)


def edited_title(base_id: str, base_title: str, phrases: list[str]) -> str:
    """The starting point's short name and what was changed: ``Grunnscenario + Tana, uten FTE-bånd``.

    Without changes, the starting point's own title."""
    if not phrases:
        return base_title
    name = scenario_label(base_id, base_title)
    text = describe(phrases)
    return f"{name} {text}" if text.startswith("+") else f"{name}, {text}"


def ab_labels(title_a: str, phrases_b: list[str]) -> list[str]:
    """Labels for a comparison: ``A: <title of A>``, ``B: <what B changes from A>``."""
    return [f"A: {title_a}", "B: " + (describe(phrases_b) if phrases_b else tr("som A", "same as A"))]


def download_stem(scenario_id: str, title: str, edited: bool) -> str:
    """File-name stem for downloads: the scenario id, or for an edited scenario its title as a file name."""
    return file_stem(title) if edited else scenario_id


def file_stem(title: str, limit: int = 60) -> str:
    """A title as a file name: ``grunnscenario-tana-uten-fte-band`` (ASCII, lower case, dashes)."""
    text = title.casefold().translate(str.maketrans({"ø": "o", "æ": "ae", "å": "a", "ŋ": "n", "đ": "d", "ŧ": "t",
                                                    "š": "s", "č": "c", "ž": "z"}))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return stem[:limit].rstrip("-") or "scenario"
