"""``python -m optimizer agreement SCENARIO --out DIR`` and ``python -m optimizer settle-year SCENARIO ACTUALS.csv``.

``agreement`` writes ``DIR/<scenario id>/``: the run's files, ``budget.csv``, ``payments.csv``,
``exit_terms.csv``, ``references.csv``, ``today.csv``, ``staff_transfers.csv``, an actuals template
per year, ``summary.json`` (with an ``agreement`` section) and ``annex.docx``; all files or none.
``settle-year`` reads the filled-in actuals and writes ``DIR/<scenario id>-<year>/``
(``settlement.csv`` per member and unit, ``summary.json``); a bad actuals file is invalid input
(exit 2, naming the file, line and column) and nothing is written. ``settle-year SCENARIO
--template FILE [--year Y]`` writes the actuals template for year Y (default: the first year).
Exit codes as every command (``optimizer.batch``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from optimizer.batch import EXIT_INVALID, run_command
from optimizer.errors import UserInputError
from optimizer.i18n import format_nok, tr
from optimizer.output import CSV_DIALECTS, csv_text, json_text, write_file, write_folder
from optimizer.reading import read_limited
from optimizer.scenario import MAX_FILE_BYTES, Scenario


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``agreement`` and ``settle-year`` to the CLI's subparsers."""
    p = sub.add_parser("agreement", parents=[common],
                       help="avtalens økonomi: budsjett, à konto, uttreden, vedlegg (docx) / the agreement's economics")
    p.add_argument("file", type=Path, help="scenariofil (TOML)")
    p.add_argument("--out", type=Path, default=Path("agreements"), help="mappe (default: agreements)")
    p.add_argument("--csv-dialect", choices=CSV_DIALECTS, default="pandas")
    p.set_defaults(handler=_cmd_agreement)

    p = sub.add_parser("settle-year", parents=[common],
                       help="årsavregning fra vertskommunens regnskap / year-end settlement from the host's accounts")
    p.add_argument("file", type=Path, help="scenariofil (TOML)")
    p.add_argument("actuals", type=Path, nargs="?", help="utfylt regnskapsmal (CSV)")
    p.add_argument("--template", type=Path, metavar="FILE",
                   help="skriv malen for regnskapstall til FILE / write the actuals template to FILE")
    p.add_argument("--year", type=int, help="år for malen (default: avtalens første år)")
    p.add_argument("--out", type=Path, default=Path("settlements"), help="mappe (default: settlements)")
    p.add_argument("--csv-dialect", choices=CSV_DIALECTS, default="pandas")
    p.set_defaults(handler=_cmd_settle_year)


def _cmd_agreement(args: argparse.Namespace) -> int:
    from optimizer.economics.agreement import build_agreement
    from optimizer.newcomer import statement_for
    from optimizer.report.annex_docx import annex_bytes

    def action(scenario: Scenario) -> str:
        agreement = build_agreement(statement_for(scenario))
        files = agreement.files(args.csv_dialect, annex=annex_bytes(agreement))
        _write(args.out / scenario.id, files, args.csv_dialect)
        paybacks = agreement.budget.member_summary()
        text = ", ".join(f"{scenario.name(m)} {p['payback_year'] or '–'}" for m, p in paybacks.items())
        return tr(f"skrev {args.out / scenario.id}; tilbakebetalt (mot i dag): {text}",
                  f"wrote {args.out / scenario.id}; payback (against today): {text}")

    return run_command([args.file], action)


def _cmd_settle_year(args: argparse.Namespace) -> int:
    from optimizer.economics.budget import build_budget
    from optimizer.economics.spec import agreement_spec
    from optimizer.economics.year_end import actuals_template, member_true_ups, read_actuals, true_up_rows
    from optimizer.newcomer import statement_for

    if args.template is None and args.actuals is None:
        print(tr("ugyldig: oppgi ACTUALS.csv eller --template", "invalid: give ACTUALS.csv or --template"), file=sys.stderr)
        return EXIT_INVALID

    def action(scenario: Scenario) -> str:
        spec = agreement_spec(scenario)
        statement = statement_for(scenario)
        budget = build_budget(statement.result, statement.chosen, spec)
        if args.template is not None:
            year = args.year if args.year is not None else spec.start_year
            if year not in spec.calendar:
                raise UserInputError("--year", None, tr(f"{year} er ikke et år i avtalen", f"{year} is not a year of the agreement"))
            write_file(args.template, actuals_template(budget, year, args.csv_dialect), bom=args.csv_dialect == "excel-no")
            return tr(f"skrev malen for {year} til {args.template}", f"wrote the template for {year} to {args.template}")
        raw = read_limited(args.actuals, MAX_FILE_BYTES)  # a regular file, size checked while reading
        actuals = read_actuals(raw, str(args.actuals), budget)
        rows = true_up_rows(budget, actuals)
        per_member = member_true_ups(rows)
        folder = args.out / f"{scenario.id}-{actuals.year}"
        _write(folder, {
            "settlement.csv": csv_text(rows, args.csv_dialect),
            "summary.json": json_text({"scenario": scenario.id, "year": actuals.year,
                                       "settlement_method": scenario.settlement_method,
                                       "actuals": str(args.actuals), "members": per_member,
                                       "units": [{"service": u.service, "host": u.host, "actual_nok": v}
                                                 for u, v in actuals.amounts.items()]}),
        }, args.csv_dialect)
        text = ", ".join(f"{scenario.name(m)} {format_nok(v['true_up_nok'])}" for m, v in per_member.items())
        return tr(f"skrev {folder}; avregning: {text}", f"wrote {folder}; true-ups: {text}")

    return run_command([args.file], action)


def _write(folder: Path, files: dict, dialect: str) -> None:
    bom = tuple(n for n in files if n.endswith(".csv")) if dialect == "excel-no" else ()
    write_folder(folder, files, bom_for=bom, kind="true-up")
