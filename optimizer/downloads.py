"""What the app offers for download, made so the CLI reproduces it, and the app's cache keys of uploads.

The downloaded scenario file carries the app's label for an edited scenario in ``name`` and, when
the app applied its interactive solver time limit, that limit; the run's files offered beside it
are those ``python -m optimizer run <stem>.toml`` writes for that file (same id, title, source and
inputs), byte for byte.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from optimizer.editing import interactive_time_limit
from optimizer.result import ScenarioResult
from optimizer.statement import Statement

IMPORT_FOLDER = "ssb-import"  # the data folder's name in the app's zip and in the downloaded scenario


def upload_key(files: Sequence[tuple[str, bytes]]) -> str:
    """A cache key for uploaded files: each file's name and bytes hashed on their own, in order.

    Two different uploads never share it (joining names and bytes first would let a crafted file
    ``p + "q.csv" + q`` collide with ``p.csv`` + ``q.csv``).
    """
    parts = [hashlib.sha256(name.encode("utf-8")).hexdigest() + hashlib.sha256(raw).hexdigest() for name, raw in files]
    return hashlib.sha256(",".join(parts).encode("ascii")).hexdigest()


def edit_origins(base_origins: Mapping[str, str], edited: Sequence[str], app_source: str) -> dict[str, str]:
    """Where each key of the edited scenario was set: the (uploaded) file, or the app for an edit."""
    return {**base_origins, **{key: app_source for key in edited}}


def download_label(title: str, stem: str, scenario_id: str) -> str:
    """The app's label of the shown scenario: its title, with the edit's stem when it was edited."""
    return title if stem == scenario_id else f"{title} [{stem}]"


def downloaded_table(table: Mapping[str, Any], label: str, time_limit: float | None, *,
                     imported: bool) -> dict[str, Any]:
    """The scenario table as downloaded: ``name`` = the app's label; the interactive solver time limit
    the app applied (when the table sets none); ``data`` naming the imported folder."""
    out = dict(table, name=label)
    solver = dict(out.get("solver", {}))
    if "time_limit" not in solver and time_limit == interactive_time_limit(len(out.get("members", ()))):
        out["solver"] = dict(solver, time_limit=time_limit)
    if imported:
        out["data"] = IMPORT_FOLDER
    return out


def as_downloaded(result: ScenarioResult, statement: Statement, stem: str,
                  table: Mapping[str, Any]) -> tuple[ScenarioResult, Statement]:
    """``result`` and ``statement`` as the CLI gets them from the downloaded file ``<stem>.toml``."""
    origins = {key: f"{stem}.toml" for key in result.scenario.origins}
    scenario = replace(result.scenario, id=stem, title=str(table.get("name", stem)), source=f"{stem}.toml",
                       raw=dict(table), origins=origins)
    downloaded = replace(result, scenario=scenario)
    return downloaded, replace(statement, result=downloaded)
