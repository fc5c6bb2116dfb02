"""Command line: ``python -m optimizer run|join|leave|validate|show|import|simulate|alternatives|sweep|report|
agreement|settle-year|priorities|explain``.

Exit codes (``optimizer.batch``): 0 ok, 2 invalid input, 3 infeasible, 1 other failure. For a
batch: 2 if any file was invalid, else 3 if any was infeasible, else 1 if any failed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from optimizer import data, show, sim_cli
from optimizer.decisions import cli as decisions_cli
from optimizer.batch import (
    EXIT_FAILED,
    EXIT_INFEASIBLE,
    EXIT_INVALID,
    EXIT_OK,
    batch_exit,
    failure,
    no_plan_in_time,
    run_batch,
    run_command,
)
from optimizer.economics import cli as economics_cli
from optimizer.errors import InfeasibleError, SolverLimitError, UserInputError
from optimizer.explain import explain_infeasible
from optimizer.export import result_files
from optimizer.views import solver_note
from optimizer.i18n import LANGUAGES, format_nok, language, set_language, tr
from optimizer.newcomer import MembershipChange, join, leave, statement_for
from optimizer.output import CSV_DIALECTS, write_folder
from optimizer.pipeline import run, scenario_travel
from optimizer.report.cli import add_report_parser
from optimizer.result import ScenarioResult
from optimizer.scenario import Scenario, load_scenario, resolve_municipality
from optimizer.ssb import cli as ssb_cli
from optimizer.economics.spec import agreement_spec
from optimizer.uncertainty import uncertainty_spec
from optimizer.views import method_label, newcomer_text, signed_nok


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if getattr(args, "lang", None):
        set_language(args.lang)
    try:
        return args.handler(args)
    except UserInputError as exc:  # a command's own input check outside a batch
        print(tr(f"ugyldig: {exc}", f"invalid: {exc}"), file=sys.stderr)
        return EXIT_INVALID
    except SolverLimitError as exc:
        print(no_plan_in_time(exc), file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # noqa: BLE001 - never a traceback to a user; the log has it
        print(failure(exc), file=sys.stderr)
        return EXIT_FAILED


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help="språk / language (nb, en)")
    parser = argparse.ArgumentParser(
        prog="python -m optimizer",
        description="Vertskommune: vertskommunesamarbeid – vertsvalg, kostnadsfordeling og scenarioer.",
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", parents=[common], help="løs scenarioer og skriv resultater / solve scenarios")
    p.add_argument("files", nargs="+", type=Path, help="scenariofiler (TOML)")
    p.add_argument("--out", type=Path, default=Path("results"), help="mappe for resultater (default: results)")
    p.add_argument("--csv-dialect", choices=CSV_DIALECTS, default="pandas",
                   help="pandas (komma) eller excel-no (semikolon og desimalkomma)")
    p.set_defaults(handler=_cmd_run)

    for name, help_text in (("join", "hva en ny deltaker endrer / what a newcomer changes"),
                            ("leave", "hva resten betaler uten et medlem / what the rest pay if a member leaves")):
        p = sub.add_parser(name, parents=[common], help=help_text)
        p.add_argument("file", type=Path, help="scenariofil (TOML)")
        p.add_argument("municipality", nargs="?" if name == "join" else None,
                       help="kommunenummer eller navn" + (" (uten: alle randkommuner)" if name == "join" else ""))
        p.set_defaults(handler=_cmd_membership, joining=name == "join")

    p = sub.add_parser("validate", parents=[common], help="sjekk scenariofiler / check scenario files")
    p.add_argument("files", nargs="+", type=Path)
    p.set_defaults(handler=_cmd_validate)

    p = sub.add_parser("show", parents=[common], help="vis innebygde data / show embedded data")
    p.add_argument("what", nargs="?", choices=("members", "services", "travel", "links"), default="members")
    p.set_defaults(handler=_cmd_show)
    ssb_cli.add_parser(sub, common)
    sim_cli.add_commands(sub, common)
    add_report_parser(sub, common)
    economics_cli.add_commands(sub, common)
    decisions_cli.add_commands(sub, common)  # priorities, explain (issue 13)
    return parser


# ---------------------------------------------------------------------------------------------


def _cmd_run(args: argparse.Namespace) -> int:
    return run_command(args.files, lambda scenario: _run_one(scenario, args))


def _run_one(scenario: Scenario, args: argparse.Namespace) -> str:
    result = run(scenario)
    write_result(result, args.out / scenario.id, args.csv_dialect)
    line = tr(
        f"total {format_nok(result.total_cost)}, besparelse mot robust alene {format_nok(result.total_stand_alone - result.total_cost)}, "
        f"rettferdighetens pris {format_nok(result.price_of_fairness)}",
        f"total {format_nok(result.total_cost)}, saving against robust alone {format_nok(result.total_stand_alone - result.total_cost)}, "
        f"price of fairness {format_nok(result.price_of_fairness)}",
    )
    note = solver_note(result)
    return line if note is None else f"{line}. {note}"


def write_result(result: ScenarioResult, folder: Path, dialect: str = "pandas") -> None:
    """``summary.json``, ``hosts.csv``, ``costs.csv`` and ``settlement.csv`` into ``folder``, all or nothing."""
    files = result_files(result, dialect)
    bom = tuple(name for name in files if name.endswith(".csv")) if dialect == "excel-no" else ()
    write_folder(folder, files, bom_for=bom, kind="run")


def _cmd_membership(args: argparse.Namespace) -> int:
    scenario = None
    try:
        scenario = load_scenario(args.file)
        before = statement_for(scenario)
        if args.municipality is None:
            candidates = [m for m in data.border_numbers() if m not in scenario.members]
            changes = [join(scenario, m, before) for m in candidates]
            _print_newcomers(changes)
            return EXIT_OK
        number = resolve_municipality(args.municipality, data.municipalities())
        if number is None:
            raise UserInputError(str(args.file), "MUNICIPALITY", tr(
                f"ukjent kommune {args.municipality!r}", f"unknown municipality {args.municipality!r}"))
        if (number in scenario.members) == args.joining:
            raise UserInputError(str(args.file), "members", tr(
                f"{number} er {'allerede' if args.joining else 'ikke'} medlem",
                f"{number} is {'already' if args.joining else 'not'} a member"))
        if not args.joining and len(scenario.members) == 1:
            raise UserInputError(str(args.file), "members", tr(
                f"{number} er eneste medlem; uten det er det ikke noe samarbeid å regne på",
                f"{number} is the only member; without it there is no cooperation to compute"))
        change = (join if args.joining else leave)(scenario, number, before)
    except UserInputError as exc:
        print(tr(f"ugyldig: {exc}", f"invalid: {exc}"), file=sys.stderr)
        return EXIT_INVALID
    except InfeasibleError as exc:
        print(explain_infeasible(exc, scenario) if scenario is not None else str(exc), file=sys.stderr)
        return EXIT_INFEASIBLE
    _print_change(change)
    return EXIT_OK


def _print_newcomers(changes: list[MembershipChange]) -> None:
    print(tr("kommune            marginalkostnad    kostnad alene   rimelig inngangspris",
             "municipality       marginal cost      stand-alone     fair entry price"))
    for c in changes:
        name = f"{c.municipality} {c.after.result.scenario.name(c.municipality)}"
        span = c.entry_price_range
        text = tr("ingen (koster mer enn det sparer)", "none (costs more than it saves)") if span is None \
            else f"{format_nok(span[0])} – {format_nok(span[1])}"
        print(f"{name:<18} {format_nok(c.marginal_cost):>16} {format_nok(c.stand_alone):>16}   {text}")


def _print_change(change: MembershipChange) -> None:
    scenario = (change.after if change.joining else change.before).result.scenario
    name = f"{change.municipality} {scenario.name(change.municipality)}"
    if change.joining:
        _print_newcomers([change])
    else:
        print(tr(f"{name} går ut: gruppen uten {name} koster {format_nok(change.after.result.total_cost)} "
                 f"(før {format_nok(change.before.result.total_cost)})",
                 f"{name} leaves: the group without it costs {format_nok(change.after.result.total_cost)} "
                 f"(before {format_nok(change.before.result.total_cost)})"))
    print()
    print(f"{tr('oppgjørsmodell', 'settlement method'):<34} {tr('kommune', 'member'):<17} {tr('før', 'before'):>16} "
          f"{tr('etter', 'after'):>16} {tr('endring', 'change'):>16}")
    for row in change.share_rows():
        cells = [format_nok(row[k]) if row[k] is not None else "–" for k in ("before_nok", "after_nok")]
        cells.append(signed_nok(row["change_nok"]) if row["change_nok"] is not None else "–")
        print(f"{method_label(row['method']):<34} {row['member'] + ' ' + row['member_name']:<17} {cells[0]:>16} "
              f"{cells[1]:>16} {cells[2]:>16}")
    if change.joining:
        print()
        print(newcomer_text(change))


def _cmd_validate(args: argparse.Namespace) -> int:
    def check(scenario: Scenario) -> str:
        scenario_travel(scenario)  # a member off the road network is a validation error too
        uncertainty_spec(scenario)  # and so is a bad [uncertainty] table
        agreement_spec(scenario)  # and a bad [agreement] table
        return tr(f"{len(scenario.members)} medlemmer, {len(scenario.services)} tjenester",
                  f"{len(scenario.members)} members, {len(scenario.services)} services")

    outcomes = run_batch(args.files, check)
    return batch_exit(outcomes)


def _cmd_show(args: argparse.Namespace) -> int:
    if args.what == "members":
        print(show.members_text())
    elif args.what == "services":
        for s in data.catalogue().services.values():
            state = "" if s.enabled else tr("  [av: ", "  [off: ") + (s.disabled_reason_nb if language() == "nb" else s.disabled_reason_en) + "]"
            print(f"{s.id:<22} {s.name(language())}{state}")
            for name, p in s.params.items():
                print(f"    {name:<20} {p.value:>12g}  {p.status}")
    elif args.what == "links":
        print(show.links_text())
    else:
        print(show.travel_text())
    return EXIT_OK
