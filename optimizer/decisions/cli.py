"""Command line for the decisions: ``priorities`` and ``explain`` (registered in ``optimizer.cli``).

Same conventions as ``run``: a line per scenario, exit codes 0/1/2/3 through ``optimizer.batch``,
bokmål by default with ``--lang en``, files written all-or-nothing into
``<out>/<scenario-id>-priorities/`` or ``<out>/<scenario-id>-explain/``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from optimizer.batch import run_command
from optimizer.decisions.priorities import priorities, priorities_summary, priority_rows, step_note
from optimizer.decisions.why_host import option_rows, why_host
from optimizer.errors import UserInputError
from optimizer.i18n import format_nok, language, tr
from optimizer.output import CSV_DIALECTS, csv_text, json_text, write_folder
from optimizer.pipeline import run
from optimizer.scenario import Scenario


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register ``priorities`` and ``explain`` on the CLI's sub-parsers."""
    p = sub.add_parser("priorities", parents=[common],
                       help="hvor starter vi: beste plan med høyst N tjenester / where to start: best plan with at most N services")
    p.add_argument("files", nargs="+", type=Path, help="scenariofiler (TOML)")
    p.add_argument("-n", type=int, help="høyst så mange tjenester (default: alle) / at most this many services")
    _output(p)
    p.set_defaults(handler=_cmd_priorities)

    p = sub.add_parser("explain", parents=[common],
                       help="hvorfor denne verten / why this host, one sentence per service")
    p.add_argument("file", type=Path, help="scenariofil (TOML)")
    p.add_argument("service", nargs="?", help="tjeneste-id (default: alle) / service id (default: all)")
    p.add_argument("--out", type=Path, help="skriv også filer hit / also write files here")
    p.add_argument("--csv-dialect", choices=CSV_DIALECTS, default="pandas")
    p.add_argument("--exact", action="store_true",
                   help="regn ut hver annen vert helt, også de som ikke kan bli billigst (tregt fra 9 kommuner) / "
                        "solve every other host to the end, also those that cannot be the cheapest (slow from 9 members)")
    p.set_defaults(handler=_cmd_explain)


def _output(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, default=Path("results"), help="mappe for resultater (default: results)")
    p.add_argument("--csv-dialect", choices=CSV_DIALECTS, default="pandas",
                   help="pandas (komma) eller excel-no (semikolon og desimalkomma)")


def _write(folder: Path, files: dict[str, str], dialect: str) -> None:
    bom = tuple(name for name in files if name.endswith(".csv")) if dialect == "excel-no" else ()
    write_folder(folder, files, bom_for=bom, kind=folder.name.rpartition("-")[2])


def _cmd_priorities(args: argparse.Namespace) -> int:
    return run_command(args.files, lambda scenario: _priorities_one(scenario, args))


def _priorities_one(scenario: Scenario, args: argparse.Namespace) -> str:
    n_all = len(scenario.services)
    if args.n is not None and not 1 <= args.n <= n_all:
        raise UserInputError(scenario.source, "-n", tr(f"må være mellom 1 og {n_all} (antall tjenester), ikke {args.n}",
                                                       f"must be between 1 and {n_all} (the number of services), not {args.n}"))
    result = run(scenario)
    found = priorities(result.model, result.plan, range(1, (args.n or n_all) + 1))
    rows = priority_rows(result.model, found)
    summary = {"scenario": scenario.id, "priorities": priorities_summary(result.model, found)}
    _write(args.out / f"{scenario.id}-priorities", {
        "priorities.csv": csv_text(rows, args.csv_dialect),
        "summary.json": json_text(summary),
    }, args.csv_dialect)
    lines = []
    for step in found.steps:
        names = ", ".join(scenario.service(s).service.name(language()) for s in step.services)
        saving = "–" if step.saving is None else format_nok(step.saving)
        lines.append(f"\n  N = {step.n}: {names} – " + tr(f"besparelse {saving}", f"saving {saving}"))
        note = step_note(result.model, step)
        if note:
            lines.append(f"\n    {note}")
    return tr(f"skrev {args.out / (scenario.id + '-priorities')}", f"wrote {args.out / (scenario.id + '-priorities')}") \
        + "".join(lines)


def _cmd_explain(args: argparse.Namespace) -> int:
    return run_command([args.file], lambda scenario: _explain_one(scenario, args))


def _explain_one(scenario: Scenario, args: argparse.Namespace) -> str:
    services = None
    if args.service is not None:
        known = [s.id for s in scenario.services]
        if args.service not in known:
            raise UserInputError(scenario.source, "SERVICE", tr(
                f"ukjent eller avslått tjeneste {args.service!r}; påslått: {', '.join(known)}",
                f"unknown or disabled service {args.service!r}; enabled: {', '.join(known)}"))
        services = [args.service]
    result = run(scenario)
    explained = why_host(result.model, result.plan, services, exact=True if args.exact else None)
    sentences = [e.sentence for e in explained]
    if args.out is not None:
        _write(args.out / f"{scenario.id}-explain", {
            "why_host.csv": csv_text(option_rows(result.model, explained), args.csv_dialect),
            "why_host.txt": "\n".join(sentences) + "\n",
            "summary.json": json_text({"scenario": scenario.id, "why_host": [
                {"service": e.service, "sentence": e.sentence} for e in explained]}),
        }, args.csv_dialect)
    return "".join(f"\n  {s}" for s in sentences)
