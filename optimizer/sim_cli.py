"""Command line for simulation: ``simulate``, ``alternatives`` and ``sweep`` (registered in ``optimizer.cli``).

Same conventions as ``run``: a line per scenario, exit codes 0/1/2/3, bokmål by default with
``--lang en``, results written all-or-nothing as CSV + JSON into ``<out>/<scenario-id>-<command>/``
(a sibling of the ``run`` folder, so neither replaces the other). Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from optimizer import data
from optimizer.bounds import bound
from optimizer.batch import EXIT_FAILED, EXIT_INFEASIBLE, EXIT_INVALID, EXIT_OK, run_command
from optimizer.alternatives import Alternative, alternative_rows, alternatives
from optimizer.errors import UserInputError
from optimizer.i18n import format_nok, format_percent, tr
from optimizer.output import CSV_DIALECTS, csv_text, json_text, write_folder
from optimizer.pipeline import build_model, run
from optimizer.robust import CRITERIA, CRITERION_LABELS, rank_alternatives
from optimizer.scenario import Scenario, load_scenario, resolve_municipality
from optimizer.simulate import SimulationResult, Simulator, typed_plan
from optimizer.sweep import parse_vary, sweep
from optimizer.uncertainty import LIMITS, UncertaintySpec, check_path_years, uncertainty_spec
from optimizer.views_simulation import change_text

def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register ``simulate``, ``alternatives`` and ``sweep`` on the CLI's sub-parsers."""
    output = argparse.ArgumentParser(add_help=False)
    output.add_argument("--out", type=Path, default=Path("results"), help="mappe for resultater (default: results)")
    output.add_argument("--csv-dialect", choices=CSV_DIALECTS, default="pandas",
                        help="pandas (komma) eller excel-no (semikolon og desimalkomma)")
    draws = argparse.ArgumentParser(add_help=False)
    draws.add_argument("--paths", type=int, help="antall simulerte forløp (default: [uncertainty] paths)")
    draws.add_argument("--years", type=int, help="avtalens lengde i år (default: [uncertainty] years)")
    draws.add_argument("--seed", type=int, help="frø for tilfeldige tall (default: [uncertainty] seed)")

    p = sub.add_parser("simulate", parents=[common, output, draws],
                       help="hvor robust er vertsplanen / how a host plan holds up under uncertainty")
    p.add_argument("files", nargs="+", type=Path, help="scenariofiler (TOML)")
    p.add_argument("--host", action="append", default=[], metavar="SERVICE=HOST[:M+M,HOST:M+M]",
                   help="skriv inn en plan i stedet for optimum / type in a plan instead of the optimum")
    p.set_defaults(handler=_cmd_simulate)

    p = sub.add_parser("alternatives", parents=[common, output, draws],
                       help="de k beste planene og robust valg / the k best plans and robust choice")
    p.add_argument("files", nargs="+", type=Path, help="scenariofiler (TOML)")
    p.add_argument("-k", type=int, default=5, help="antall planer (default: 5)")
    p.add_argument("--no-fairness", action="store_true", help="uten rettferdighetsreglene / without the fairness rules")
    p.set_defaults(handler=_cmd_alternatives)

    p = sub.add_parser("sweep", parents=[common, output],
                       help="varier parametre over et rutenett / vary parameters over a grid")
    p.add_argument("file", type=Path, help="scenariofil (TOML)")
    p.add_argument("--vary", action="append", required=True, metavar="KEY=V1,V2,...",
                   help="f.eks. / e.g. services.child_welfare.cost_per_fte=900000,1000000")
    p.add_argument("--workers", type=int, help="lokale prosesser (default: antall kjerner)")
    p.add_argument("--scheduler", help="adresse til en Dask-scheduler, f.eks. tcp://host:8786")
    p.set_defaults(handler=_cmd_sweep)


# ---------------------------------------------------------------------------------------------


def _cmd_simulate(args: argparse.Namespace) -> int:
    return run_command(args.files, lambda scenario: _simulate_one(scenario, args))


def _simulate_one(scenario: Scenario, args: argparse.Namespace) -> str:
    _check_draws(args)
    spec = uncertainty_spec(scenario)
    _check_path_years(args, spec)
    result = run(scenario)
    plan = result.plan
    if args.host:
        plan = typed_plan(result.model, _typed_units(args.host), base=result.plan)
    sim = Simulator(scenario, result.model, spec).run(plan, paths=args.paths, years=args.years, seed=args.seed)
    files = {
        "costs.csv": csv_text(sim.summary_rows(), args.csv_dialect),
        "staffing.csv": csv_text(sim.staffing_rows(), args.csv_dialect),
        "reach.csv": csv_text(sim.reach_rows(), args.csv_dialect),
        "paths.csv": csv_text(_path_rows(sim), args.csv_dialect),
        "summary.json": json_text(sim.summary()),
    }
    _write(args.out / f"{scenario.id}-simulation", files, args.csv_dialect)
    total = sim.stats()
    return tr(
        f"{sim.paths} forløp x {sim.years} år, samlet over avtalen: snitt {format_nok(total['mean'])}, P90 {format_nok(total['p90'])} "
        f"(deterministisk {format_nok(sim.deterministic())}); under minste fagmiljø {format_percent(100 * sim.understaffed_share)} "
        f"av månedene; utenfor rekkevidde {format_percent(100 * sim.unreachable_share, 2)} av hendelsene",
        f"{sim.paths} paths x {sim.years} years, total over the agreement: mean {format_nok(total['mean'])}, P90 {format_nok(total['p90'])} "
        f"(deterministic {format_nok(sim.deterministic())}); below minimum environment {format_percent(100 * sim.understaffed_share)} "
        f"of months; out of reach {format_percent(100 * sim.unreachable_share, 2)} of events",
    )


def _path_rows(sim: SimulationResult) -> list[dict[str, Any]]:
    totals = sim.distribution()
    per_member = {m: sim.distribution(m) for m in sim.members}
    return [
        {"path": i, "total_nok": float(totals[i]), **{f"{m}_nok": float(per_member[m][i]) for m in sim.members}}
        for i in range(sim.paths)
    ]


def _typed_units(entries: list[str]) -> dict[str, list[tuple[str, list[str] | None]]]:
    """``["ict=Porsanger", "child_welfare_on_call=5622:5620+5622,5624:5624+5626"]`` -> units per service.

    A host without ``:members`` serves every member.
    """
    municipalities = data.municipalities()

    def number(text: str, entry: str) -> str:
        found = resolve_municipality(text.strip(), municipalities)
        if found is None:
            raise UserInputError("--host", entry, tr(f"ukjent kommune {text!r}", f"unknown municipality {text!r}"))
        return found

    out: dict[str, list[tuple[str, list[str] | None]]] = {}
    for entry in entries:
        service, sep, spec = entry.partition("=")
        if not sep or not spec:
            raise UserInputError("--host", entry, tr("forventet TJENESTE=VERT", "expected SERVICE=HOST"))
        units = []
        for part in spec.split(","):
            host, _, members = part.partition(":")
            served = [number(m, entry) for m in members.split("+")] if members else None
            units.append((number(host, entry), served))
        out[service.strip()] = units
    return out


def _cmd_alternatives(args: argparse.Namespace) -> int:
    return run_command(args.files, lambda scenario: _alternatives_one(scenario, args))


def _alternatives_one(scenario: Scenario, args: argparse.Namespace) -> str:
    _check_draws(args)
    k_max = int(bound("alternatives.k").high)
    if not 1 <= args.k <= k_max:
        raise UserInputError("-k", None, tr(f"må være mellom 1 og {k_max}, fikk {args.k}",
                                            f"must be between 1 and {k_max}, got {args.k}"))
    spec = uncertainty_spec(scenario)
    _check_path_years(args, spec)
    model = build_model(scenario)
    found = alternatives(scenario, args.k, model=model, fairness=not args.no_fairness)
    bar = Progress(tr("simulerer", "simulating"), len(found))
    ranking = rank_alternatives(scenario, found, model=model, spec=spec, paths=args.paths, years=args.years,
                                seed=args.seed, progress=bar.update)
    winners = ranking.winners()
    close = ranking.within_noise()
    summary = {
        "scenario": scenario.id,
        "k": args.k,
        "fairness": not args.no_fairness,
        "alternatives": [_alternative_summary(scenario, a) for a in found],
        "winners": winners,
        "within_noise": close,
        "proven": all(a.proven for a in found),
        "ranking": ranking.rows(),
        "paths": ranking.results[0].paths,
        "years": ranking.results[0].years,
        "seed": ranking.results[0].seed,
        "assumptions": spec.assumptions(),
    }
    files = {
        "alternatives.csv": csv_text(alternative_rows(scenario, found), args.csv_dialect),
        "ranking.csv": csv_text(ranking.rows(), args.csv_dialect),
        "summary.json": json_text(summary),
    }
    _write(args.out / f"{scenario.id}-alternatives", files, args.csv_dialect)
    _print_alternatives(scenario, found, winners, close)
    return tr(f"{len(found)} planer", f"{len(found)} plans")


def _alternative_summary(scenario: Scenario, a: Alternative) -> dict[str, Any]:
    return {
        "rank": a.rank,
        "total_nok": a.total,
        "gap_nok": a.gap_nok,
        "gap_percent": a.gap_percent,
        "changes": [c.text(scenario) for c in a.changes],
        "units": [{"service": u.service, "host": u.host, "served": list(u.members)} for u in a.plan.units],
    }


def _print_alternatives(scenario: Scenario, found: list[Alternative], winners: Mapping[str, int],
                        close: Mapping[str, int | None]) -> None:
    print(tr("nr  kostnad per år       over optimum  endring mot optimum",
             "no  cost per year        over optimum  change against the optimum"))
    for a in found:
        changes = "; ".join(change_text(scenario, c) for c in a.changes) or tr("(optimum)", "(the optimum)")
        note = f"  [{a.note()}]" if a.note() else ""
        print(f"{a.rank:>2}  {format_nok(a.total):>18} {format_nok(a.gap_nok):>14}  {changes}{note}")
    if not all(a.proven for a in found):
        print(tr("  advarsel: løseren stoppet før optimum (solver.time_limit?); listen er ikke bevist de k beste",
                 "  warning: the solver stopped before optimality (solver.time_limit?); the list is not proven the k best"))
    for criterion in CRITERIA:
        nb, en = CRITERION_LABELS[criterion]
        rank, other = winners[criterion], close[criterion]
        noise = tr(f" (innenfor støyen, ikke sikkert bedre enn plan {other})",
                   f" (within noise, not clearly better than plan {other})") if other else ""
        print(tr(f"  best på {nb}: plan {rank}{noise}", f"  best on {en}: plan {rank}{noise}"))


def _cmd_sweep(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    try:
        scenario = load_scenario(args.file)
        varies = [parse_vary(v) for v in args.vary]
        if args.workers is not None and args.workers < 1:
            raise UserInputError("--workers", None, tr("må være minst 1", "must be at least 1"))
        n = 1
        for v in varies:
            n *= len(v.values)
        most = int(bound("sweep.points").high)
        if n > most:
            raise UserInputError("--vary", None, tr(f"rutenettet har {n} punkter; høyst {most}",
                                                    f"the grid has {n} points; at most {most}"))
        bar = Progress(tr("punkter", "points"), n)
        rows = sweep(scenario, varies, workers=args.workers, scheduler=args.scheduler, progress=bar.update)
    except UserInputError as exc:
        print(tr(f"ugyldig: {exc}", f"invalid: {exc}"), file=sys.stderr)
        return EXIT_INVALID
    except Exception as exc:  # noqa: BLE001 - a failed worker or cluster is reported, not a traceback
        print(tr(f"feilet: {type(exc).__name__}: {exc}", f"failed: {type(exc).__name__}: {exc}"), file=sys.stderr)
        return EXIT_FAILED
    summary = {"scenario": scenario.id, "vary": {v.key: list(v.values) for v in varies}, "points": rows}
    _write(args.out / f"{scenario.id}-sweep",
           {"sweep.csv": csv_text(rows, args.csv_dialect), "summary.json": json_text(summary)}, args.csv_dialect)
    feasible = sum(1 for r in rows if r["status"] == "ok")
    for r in rows:
        point = " ".join(f"{v.key}={r[v.key]}" for v in varies)
        cost = format_nok(r["total_nok"]) if r["status"] == "ok" else tr("umulig: ", "infeasible: ") + r["loosen"]
        print(f"{point}: {cost}")
    print(tr(f"{len(rows)} punkter, {feasible} mulige ({time.perf_counter() - start:.2f} s)",
             f"{len(rows)} points, {feasible} feasible ({time.perf_counter() - start:.2f} s)"))
    return EXIT_OK if feasible else EXIT_INFEASIBLE


# ---------------------------------------------------------------------------------------------


class Progress:
    """A progress bar on stderr: redrawn in place on a terminal, one line per step otherwise."""

    def __init__(self, label: str, total: int, width: int = 30) -> None:
        self.label, self.total, self.width = label, total, width

    def update(self, done: int, total: int | None = None) -> None:
        total = total or self.total
        filled = self.width * done // max(total, 1)
        line = f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {done}/{total}"
        if sys.stderr.isatty():
            print(f"\r{line}", end="\n" if done >= total else "", file=sys.stderr, flush=True)
        else:
            print(line, file=sys.stderr, flush=True)


def _check_draws(args: argparse.Namespace) -> None:
    """``--paths``/``--years`` within the bounds of ``[uncertainty]`` paths/years; ``--seed`` at least 0."""
    for name, (low, high) in (*LIMITS.items(), ("seed", (0, None))):
        value = getattr(args, name)
        if value is not None and value < low:
            raise UserInputError(f"--{name}", None, tr(f"må være minst {low}, fikk {value}",
                                                       f"must be at least {low}, got {value}"))
        if value is not None and high is not None and value > high:
            raise UserInputError(f"--{name}", None, tr(f"må være høyst {high}, fikk {value}",
                                                       f"must be at most {high}, got {value}"))


def _check_path_years(args: argparse.Namespace, spec: UncertaintySpec) -> None:
    """``--paths`` x ``--years`` (or the scenario's values) within the bound of ``[uncertainty]``."""
    paths, years = args.paths or spec.paths, args.years or spec.years

    def fail(problem: str) -> None:
        raise UserInputError("--paths" if args.paths else "--years" if args.years else "[uncertainty]", None, problem)

    check_path_years(paths, years, fail)


def _write(folder: Path, files: dict[str, str], dialect: str) -> None:
    """``<scenario-id>-<command>/`` all or nothing; its marker names the command."""
    bom = tuple(name for name in files if name.endswith(".csv")) if dialect == "excel-no" else ()
    write_folder(folder, files, bom_for=bom, kind=folder.name.rpartition("-")[2])
