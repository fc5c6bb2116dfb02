"""``python -m optimizer report FILE [FILE ...] --format pptx|xlsx|html --out DIR``.

Follows ``run``: a line per scenario, a bad one is reported and the rest go on, the same exit codes;
the report holds every scenario that could be solved, written as one file into ``DIR``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPORT_FORMATS = ("pptx", "xlsx", "html")


def add_report_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the ``report`` subcommand to the CLI's subparsers."""
    p = sub.add_parser("report", parents=[common],
                       help="rapport: lysbilder, regneark eller oppgjør / report: slides, workbook or statement")
    p.add_argument("files", nargs="+", type=Path, help="scenariofiler (TOML); flere gir en sammenligning")
    p.add_argument("--format", choices=REPORT_FORMATS, default="pptx",
                   help="pptx (lysbilder), xlsx (regneark) eller html (oppgjør per kommune); default: pptx")
    p.add_argument("--out", type=Path, default=Path("reports"), help="mappe for rapporten (default: reports)")
    p.set_defaults(handler=_cmd_report)


def _cmd_report(args: argparse.Namespace) -> int:
    # imported here: the report formats pull in python-pptx, openpyxl and matplotlib, which the
    # other commands do not need
    from optimizer.batch import EXIT_INVALID, batch_exit, print_summary, run_batch
    from optimizer.errors import UserInputError
    from optimizer.i18n import format_nok, language, tr
    from optimizer.newcomer import statement_for
    from optimizer.report.files import write_report
    from optimizer.scenario import Scenario
    from optimizer.statement import Statement
    from optimizer.economics.spec import agreement_spec
    from optimizer.uncertainty import uncertainty_spec

    statements: list[Statement] = []

    def settle(scenario: Scenario) -> str:
        """Solve and settle ``scenario`` for the report; the line printed for it."""
        uncertainty_spec(scenario)  # the reports' case rates: a bad [uncertainty] table is this file's error
        agreement_spec(scenario)  # the budget sheets and slide: a bad [agreement] table too
        statement = statement_for(scenario)
        statements.append(statement)
        return f"total {format_nok(statement.result.total_cost)}"

    outcomes = run_batch(args.files, settle)
    print_summary(outcomes)
    if not statements:
        print(tr("ingen rapport skrevet: ingen av scenarioene kunne brukes",
                 "no report written: none of the scenarios could be used"), file=sys.stderr)
        return batch_exit(outcomes)
    try:
        path = write_report(statements, args.format, args.out, language())
    except UserInputError as exc:  # the target is not ours to replace, or the folder cannot be written
        print(tr(f"ingen rapport skrevet: {exc}", f"no report written: {exc}"), file=sys.stderr)
        return batch_exit([*outcomes, (args.format, EXIT_INVALID, "")])
    print(tr(f"skrev {path}", f"wrote {path}"))
    return batch_exit(outcomes)
