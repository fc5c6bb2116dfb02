"""Plain words for what the user reads: scenario keys, shipped scenarios, basis texts, a glossary.

One table (``optimizer/data/labels.toml``) serves the app, the CLI and the reports, so a key reads
the same everywhere (``services.child_welfare.cost_per_fte`` -> "Barneverntjeneste: kostnad per
årsverk"). Bokmål basis texts for the catalogue parameters are in ``optimizer/data/basis_nb.toml``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from optimizer import data
from optimizer.i18n import language, tr

SCENARIO_PREFIX = "set in the scenario ("  # how scenario.py words an overridden parameter's basis


@cache
def _table(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files("optimizer").joinpath("data", name).read_text(encoding="utf-8"))


def _pair(pair: list[str]) -> str:
    return tr(pair[0], pair[1])


def part_name(part: str) -> str:
    """A key part in words: a service id becomes its name, a municipality number its name."""
    services = data.catalogue().services
    if part in services:
        return services[part].name(language())
    municipalities = data.municipalities()
    if part in municipalities:
        return municipalities[part].name
    return part


def key_label(key: str) -> str:
    """A dotted scenario key in words; an unknown key is returned as written."""
    parts = key.split(".")
    keys = _table("labels.toml")["keys"]
    for pattern, pair in keys.items():
        shape = pattern.split(".")
        if len(shape) != len(parts):
            continue
        wild = [p for p, s in zip(parts, shape) if s == "*"]
        if all(s in ("*", p) for p, s in zip(parts, shape)):
            return _pair(pair).format(*(part_name(w) for w in wild))
    return key


def scenario_label(stem: str, title: str | None = None) -> str:
    """A shipped scenario's short name; any other scenario's title (or its stem)."""
    pair = _table("labels.toml")["scenarios"].get(stem)
    if pair is not None:
        return _pair(pair)
    return title or stem


def shipped_scenarios() -> tuple[str, ...]:
    """The stems that have a label (the shipped scenarios)."""
    return tuple(_table("labels.toml")["scenarios"])


@dataclass(frozen=True)
class Term:
    """A glossary entry in the current language."""

    id: str
    term: str
    text: str


def glossary() -> list[Term]:
    """Every glossary entry, in file order."""
    return [Term(tid, _pair(e["term"]), _pair(e["text"])) for tid, e in _table("labels.toml")["glossary"].items()]


def accessibility_statement() -> str:
    """The accessibility statement (tilgjengelighetserklæring) in the current language, as Markdown."""
    name = f"accessibility_{language()}.md"
    return resources.files("optimizer").joinpath("data", name).read_text(encoding="utf-8")


def term_help(text: str) -> str | None:
    """Tooltip for a heading or label: the glossary entries whose words it contains, or None."""
    found = text.casefold()
    entries = [t for t, e in zip(glossary(), _table("labels.toml")["glossary"].values())
               if any(re.search(rf"(?<!\w){re.escape(word)}", found) for word in e.get("match", ()))]
    return "\n\n".join(f"**{t.term}**: {t.text}" for t in entries) or None


def basis_text(key: str, basis: str) -> str:
    """A parameter's basis in the current language: the catalogue's English ``basis`` or its bokmål text.

    ``key`` is the dotted catalogue key (``services.ict.min_fte``); a value set in a scenario reads
    "satt i scenarioet (fil)"; other texts (e.g. SSB table and year) are returned as they are.
    """
    if language() == "en":
        return basis
    if basis.startswith(SCENARIO_PREFIX):
        return "satt i scenarioet (" + basis[len(SCENARIO_PREFIX):]
    own = _table("basis_nb.toml").get(key)
    english = _catalogue_basis().get(key)
    return own if own is not None and basis == english else basis


@cache
def _catalogue_basis() -> dict[str, str]:
    found: dict[str, str] = {}

    def walk(table: dict[str, Any], prefix: str) -> None:
        for k, v in table.items():
            if isinstance(v, dict) and "basis" in v:
                found[prefix + k] = v["basis"]
            elif isinstance(v, dict):
                walk(v, prefix + k + ".")

    walk(_table("catalogue.toml"), "")
    return found


def catalogue_keys() -> tuple[str, ...]:
    """Every parameter key of the catalogue that has a basis."""
    return tuple(_catalogue_basis())
