"""The agreement's economics: references, budget, payments on account, year-end settlement, exit terms.

Independent truth: a two-member, two-year example computed by hand (arithmetic in the test), sums
that must reconcile (payments to the budget, true-ups to actual minus budget), and the engine's
individual-rationality rule checked against the reference the scenario names.
"""

from __future__ import annotations

import copy
import json

import pytest

from optimizer.economics.agreement import build_agreement
from optimizer.economics.budget import build_budget
from optimizer.economics.exit_terms import unwritten_one_off
from optimizer.economics.payments import instalments, on_account, payment_rows
from optimizer.economics.references import today_costs
from optimizer.economics.spec import agreement_spec
from optimizer.economics.year_end import budgeted, read_actuals, running_units, true_up_rows
from optimizer.errors import InfeasibleError, UserInputError
from optimizer.newcomer import statement_for
from optimizer.pipeline import run
from optimizer.scenario import load_scenario, read_scenario_file, resolve
from optimizer.uncertainty import uncertainty_spec

from conftest import SCENARIOS

OTHER_SERVICES = ("child_welfare", "child_welfare_on_call", "fire_prevention", "ict", "procurement", "planning_building")
TWO_MEMBERS = """
members = ["5624", "5626"]
[municipalities.5624]
population = 1000
[municipalities.5626]
population = 1000
[fairness]
enabled = false
[cost_key]
method = "equal"
[services.claims_collection]
fte_per_1000 = 0.6
min_fte = 1.0
cost_per_fte = 1000000
fixed_cost = 100000
trips_per_member = 0
trips_per_1000 = 0
[agreement]
years = 2
start_year = 2027
base_year = 2026
turnover_rate = 0.5
discount_rate = 0.04
deflator = 0.0
[agreement.one_off.claims_collection]
establishment = 200000
migration_per_member = 100000
recruitment_per_fte = 50000
project_management = 100000
""" + "".join(f"[services.{s}]\nenabled = false\n" for s in OTHER_SERVICES)


@pytest.fixture(scope="module")
def baseline():
    return build_agreement(statement_for(load_scenario(SCENARIOS / "baseline.toml")), with_leave=False)


def test_two_members_two_years_by_hand(write_scenario):
    agreement = build_agreement(statement_for(load_scenario(write_scenario("two", TWO_MEMBERS))), with_leave=False)
    budget = agreement.budget
    # today (estimate without the minimum): workload 0.6 FTE each, in 0.5 steps -> 1.0 FTE;
    # 100 000 + 1.0 x 1 000 000 = 1 100 000 per member
    for m in ("5624", "5626"):
        assert budget.today[m]["claims_collection"].nok == pytest.approx(1_100_000)
        assert budget.today[m]["claims_collection"].source == "estimate"
    # shared unit: workload 1.2 -> 1.5 FTE; 100 000 + 1.5 x 1 000 000 = 1 600 000; host 5624 (lower number)
    (unit,) = budget.shared_units
    assert (unit.host, unit.fte, unit.total) == ("5624", 1.5, pytest.approx(1_600_000))
    # staff today 2.0 FTE -> 0.5 surplus, no new FTE; one-off 200 000 + 100 000 x 1 + 0 + 100 000 = 400 000
    one_off = budget.one_off[unit]
    assert (one_off.surplus_fte, one_off.new_fte, one_off.total) == (0.5, 0.0, pytest.approx(400_000))
    assert budget.fractions[unit] == {"5624": pytest.approx(0.5), "5626": pytest.approx(0.5)}
    # 2027 (k = 1): running 1 600 000 + 0.5 x 0.5^0 x 1 000 000 = 2 100 000; each pays 1 050 000 + 200 000
    #   difference 1 100 000 - 1 250 000 = -150 000; cumulative -150 000
    # 2028 (k = 2): running 1 600 000 + 0.5 x 0.5^1 x 1 000 000 = 1 850 000; each pays 925 000
    #   difference 1 100 000 - 925 000 = 175 000; cumulative 25 000 -> payback 2028
    # present value: -150 000 / 1.04 + 175 000 / 1.04^2 = -144 230.77 + 161 797.34 = 17 566.57
    rows = {(r["member"], r["year"]): r for r in budget.rows()}
    for m in ("5624", "5626"):
        y1, y2 = rows[(m, 2027)], rows[(m, 2028)]
        assert (y1["running_nok"], y1["one_off_nok"], y1["difference_nok"]) == (
            pytest.approx(1_050_000), pytest.approx(200_000), pytest.approx(-150_000))
        assert (y2["running_nok"], y2["one_off_nok"], y2["difference_nok"], y2["cumulative_nok"]) == (
            pytest.approx(925_000), 0.0, pytest.approx(175_000), pytest.approx(25_000))
        summary = budget.member_summary()[m]
        assert summary["payback_year"] == 2028
        assert summary["present_value_nok"] == pytest.approx(-150_000 / 1.04 + 175_000 / 1.04 ** 2)
        assert summary["present_value_nok"] == pytest.approx(17_566.57, abs=0.01)
    # exit at the end of 2027: half the one-off costs written off (2 years), 0.5 x 400 000 x 0.5 = 100 000
    assert unwritten_one_off(budget, "5626", 2027) == pytest.approx(100_000)
    assert unwritten_one_off(budget, "5626", 2028) == pytest.approx(0.0)
    # payments on account, no deflator: 5626 pays 1 250 000 in 2027 in four instalments of 312 500
    assert [r["amount_nok"] for r in payment_rows(budget) if r["year"] == 2027] == [312_500] * 4


def test_payments_on_account_sum_to_the_budget(baseline):
    budget = baseline.budget
    paid: dict[tuple[str, int], float] = {}
    for r in payment_rows(budget):
        paid[(r["payer"], r["year"])] = paid.get((r["payer"], r["year"]), 0.0) + r["amount_nok"]
    for m in budget.result.members:
        for year in budget.spec.calendar:
            index = budget.spec.price_index(year)
            own = 0.0  # what stays in the member's own accounts: units it hosts, and services not shared yet
            for service in budget.result.model.costs:
                unit = budget.result.plan.unit_for(service, m)
                if unit.shared and year >= budget.start[service]:
                    if unit.host == m:
                        own += on_account(budget, unit, m, year)
                else:
                    own += budget.today[m][service].nok * index
            figures = budget.member_year(m, year)
            expected = (figures["running_nok"] + figures["one_off_nok"]) * index
            n_payments = sum(1 for u in budget.shared_units if m in u.members and m != u.host)
            assert paid.get((m, year), 0.0) + own == pytest.approx(expected, abs=n_payments)
    assert budget.spec.price_index(2027) == pytest.approx(1.035 ** 3)  # base 2024, three deflator years


def test_instalments_take_the_rounding_in_the_last():
    assert instalments(1000.4, 4) == [250, 250, 250, 250]
    assert instalments(1003, 4) == [250, 250, 250, 253]
    assert sum(instalments(123_456.7, 12)) == 123_457


def _actuals_text(budget, year, amounts, delimiter=","):
    lines = [delimiter.join(("year", "service", "host", "actual_nok"))]
    for unit, amount in zip(running_units(budget, year), amounts):
        lines.append(delimiter.join((str(year), unit.service, unit.host, amount)))
    return "\n".join(lines) + "\n"


def test_true_ups_sum_to_actual_minus_budget(baseline):
    budget = baseline.budget
    year = 2028
    units = running_units(budget, year)
    amounts = [str(round(budgeted(budget, u, year) * (0.9 + 0.05 * i))) for i, u in enumerate(units)]
    actuals = read_actuals(_actuals_text(budget, year, amounts).encode(), "actuals.csv", budget)
    rows = true_up_rows(budget, actuals)
    for unit in units:
        unit_rows = [r for r in rows if r["service"] == unit.service and r["host"] == unit.host]
        assert sum(r["fraction"] for r in unit_rows) == pytest.approx(1.0)
        assert sum(r["share_of_actual_nok"] for r in unit_rows) == pytest.approx(actuals.amounts[unit])
        # instalments are whole kroner: at most 1 NOK of rounding per paying member
        assert sum(r["true_up_nok"] for r in unit_rows) == pytest.approx(
            actuals.amounts[unit] - budgeted(budget, unit, year), abs=len(unit.members))


@pytest.mark.parametrize("edit, where, words", [
    (lambda lines: lines[:1] + lines[1:-1], "service/host", "mangler rad"),
    (lambda lines: lines + ["2027,ict,5624,100"], "linje 5, kolonne 3", "ikke en felles enhet"),
    (lambda lines: lines[:1] + ["2027,child_welfare,5622,-5"] + lines[2:], "linje 2, kolonne 4", "negativt"),
    (lambda lines: lines[:1] + ["2027,child_welfare,5622,mye"] + lines[2:], "linje 2, kolonne 4", "forventet et beløp"),
    (lambda lines: lines[:1] + ["2027,child_welfare,5622,"] + lines[2:], "linje 2, kolonne 4", "forventet et beløp"),
    (lambda lines: lines[:1] + ["2031,child_welfare,5622,5"] + lines[2:], "linje 2, kolonne 1", "ikke et år i avtalen"),
    (lambda lines: lines[:2] + ["2028" + lines[2][4:]] + lines[3:], "linje 3, kolonne 1", "én fil per år"),
    (lambda lines: lines[:1] + ["2027;child_welfare;5622;5"] + lines[2:], "linje 2", "skilt med ';'"),
    (lambda lines: lines[:1] + ["2027,fire_prevention,5622,5"] + lines[2:], "linje 2, kolonne 2", "starter først"),
    (lambda lines: ["year,service,host"] + lines[1:], "linje 1", "actual_nok"),
])
def test_bad_actuals_name_line_and_column(baseline, edit, where, words):
    budget = baseline.budget
    good = _actuals_text(budget, 2027, ["1000"] * len(running_units(budget, 2027))).splitlines()
    read_actuals("\n".join(good).encode(), "a.csv", budget)  # the unedited file is fine
    with pytest.raises(UserInputError) as err:
        read_actuals("\n".join(edit(good)).encode(), "a.csv", budget)
    assert err.value.source == "a.csv"
    assert where in str(err.value) and words in str(err.value)


def test_excel_dialect_actuals_with_decimal_commas(baseline):
    budget = baseline.budget
    units = running_units(budget, 2027)
    text = _actuals_text(budget, 2027, ["1 234 567,50"] * len(units), delimiter=";")
    actuals = read_actuals(("\ufeff" + text).encode("utf-8"), "a.csv", budget)
    assert set(actuals.amounts.values()) == {1_234_567.5}


def _baseline_with(ir_reference: str, nordkapp_today: float):
    table, origins = read_scenario_file(SCENARIOS / "baseline.toml")
    table = copy.deepcopy(table)
    table["fairness"]["ir_reference"] = ir_reference
    services = ("child_welfare", "child_welfare_on_call", "fire_prevention", "ict", "procurement",
                "planning_building", "claims_collection")
    table["agreement"] = {"today": {"Nordkapp": {s: nordkapp_today / len(services) for s in services}}}
    return resolve(table, scenario_id="baseline", origins=origins)


def test_reference_choice_changes_ir_and_settlement_as_documented():
    robust = statement_for(_baseline_with("robust_alone", 12_600_000))
    today = statement_for(_baseline_with("today", 12_600_000))
    # IR measures against the robust-alone cost by default, against today's cost when chosen
    assert robust.result.model.ir_reference["5620"] == pytest.approx(robust.result.stand_alone("5620"))
    assert today.result.model.ir_reference["5620"] == pytest.approx(12_600_000)
    assert robust.result.plan.payment("5620") > 12_600_000  # allowed against robust alone (18.9 M)
    for m in today.result.members:  # every member within its own today's cost
        assert today.result.plan.payment(m) <= today.result.model.ir_reference[m] + 1
    # so the adopted plan, and the settlement with it, changes
    assert {(u.service, u.host, u.members) for u in today.result.plan.units} != \
        {(u.service, u.host, u.members) for u in robust.result.plan.units}
    assert today.chosen.total("5620") < robust.chosen.total("5620")
    # the coalition game keeps the model's costs: every coalition but the grand one costs the same
    grand = frozenset(robust.result.members)
    for coalition, cost in robust.game.total.items():
        if coalition != grand:
            assert today.game.total[coalition] == pytest.approx(cost)
    # a reference no plan can meet is named as the rule to loosen
    with pytest.raises(InfeasibleError) as err:
        run(_baseline_with("today", 12_000_000))
    assert "fairness.individual_rationality" in err.value.culprits


def test_today_sources_entered_then_estimate():
    scenario = _baseline_with("robust_alone", 7_000_000)
    result = run(scenario)
    today = today_costs(scenario, result.model.costs)
    assert {c.source for c in today["5620"].values()} == {"entered"}
    assert {c.source for c in today["5626"].values()} == {"estimate"}
    assert sum(c.nok for c in today["5620"].values()) == pytest.approx(7_000_000)


def test_one_agreement_length_shared_with_the_simulation(write_scenario):
    path = write_scenario("y", 'extends = "{}"\n[agreement]\nyears = 3\n'.format(SCENARIOS / "baseline.toml"))
    scenario = load_scenario(path)
    assert agreement_spec(scenario).years == 3 == uncertainty_spec(scenario).years
    old = load_scenario(SCENARIOS / "baseline_uncertain.toml")  # today's key keeps working
    assert agreement_spec(old).years == uncertainty_spec(old).years
    both = write_scenario("z", 'extends = "{}"\n[agreement]\nyears = 3\n[uncertainty]\nyears = 5\n'.format(
        SCENARIOS / "baseline.toml"))
    with pytest.raises(UserInputError, match="agreement.years"):
        agreement_spec(load_scenario(both))


@pytest.mark.parametrize("text, key", [
    ("[agreement]\npayments_per_year = 6\n", "agreement.payments_per_year"),
    ("[agreement]\nphase_in = { ict = 2040 }\n", "agreement.phase_in.ict"),
    ("[agreement.one_off.ict]\nmigration = 5\n", "agreement.one_off.ict.migration"),
    ("[agreement.today.Gamvik]\nict = -1\n", "agreement.today.Gamvik.ict"),
    ("[agreement]\nbase_year = 2030\n", "agreement.base_year"),
    ("[fairness]\nir_reference = 'yesterday'\n", "fairness.ir_reference"),
])
def test_bad_agreement_keys_are_named(write_scenario, text, key):
    path = write_scenario("bad", 'extends = "{}"\n{}'.format(SCENARIOS / "baseline.toml", text))
    with pytest.raises(UserInputError) as err:
        agreement_spec(load_scenario(path))
    assert err.value.key == key


def test_phase_in_set_and_default(write_scenario):
    path = write_scenario("p", 'extends = "{}"\n[agreement]\nservices_per_year = 2\nphase_in = {{ ict = 2029 }}\n'.format(
        SCENARIOS / "baseline.toml"))
    statement = statement_for(load_scenario(path))
    budget = build_budget(statement.result, statement.chosen, agreement_spec(statement.result.scenario))
    assert budget.start["ict"] == 2029
    others = [y for s, y in budget.start.items() if s != "ict"]
    assert sorted(others) == [2027, 2027, 2028, 2028, 2029, 2029]  # two a year in priority order
    # hosts are the adopted plan's: the budget never moves a unit
    assert budget.shared_units == [u for u in statement.result.plan.units if u.shared]


def test_summary_reports_the_reference(baseline):
    summary = baseline.summary()
    assert summary["ir_reference"] == "robust_alone"
    assert set(summary["members"]) == set(baseline.statement.result.members)
    files = baseline.files()
    document = json.loads(files["summary.json"])
    assert document["agreement"]["settlement_method"] == "cost_key"
    assert "agreement.turnover_rate" in document["agreement"]["estimates"]
    assert document["scenario"]["resolved"]["fairness"]["ir_reference"] == "robust_alone"


def test_milp_after_the_nucleolus_in_a_fresh_process():
    """HiGHS's thread scheduler is set up by the first run in a process (here the nucleolus LPs of a
    scenario without fairness rules); the MILP of the next scenario must still solve."""
    import subprocess
    import sys

    from conftest import ROOT

    code = (
        "from optimizer import settlement\n"
        "settlement.least_core({frozenset('a'): 1.0, frozenset('b'): 1.0, frozenset('ab'): 1.5})\n"
        "from optimizer.pipeline import run\nfrom optimizer.scenario import load_scenario\n"
        "print(run(load_scenario('scenarios/baseline.toml')).plan.solve_info.status)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-500:]
    assert out.stdout.strip().endswith("optimal")


def test_today_from_imported_ssb_spending_like_for_like():
    from conftest import ROOT
    from optimizer.ssb import import_files

    name = "12362_midt_finnmark.jsonstat2.json"
    imported = import_files([(name, (ROOT / "tests" / "data" / "ssb" / name).read_bytes())]).data("ssb-import")
    table, origins = read_scenario_file(SCENARIOS / "baseline.toml")
    scenario = resolve(table, scenario_id="baseline", origins=origins, imported=imported)
    result = run(scenario)
    today = today_costs(scenario, result.model.costs)["5620"]
    # KOSTRA 244 (9 400 000 gross, see test_import) covers child welfare and its on-call service: split, not doubled
    assert today["child_welfare"].source == today["child_welfare_on_call"].source == "ssb"
    assert today["child_welfare"].nok + today["child_welfare_on_call"].nok == pytest.approx(9_400_000)
    assert today["planning_building"].nok == pytest.approx(1_550_000 + 850_000)  # 301 + 302
    assert today["ict"].source == "estimate"  # 120/190 is not like for like with one service


def test_today_template_round_trip_keeps_sources():
    from optimizer.economics.references import read_today_csv, today_template

    scenario = _baseline_with("robust_alone", 7_000_000)
    result = run(scenario)
    text = today_template(scenario, today_costs(scenario, result.model.costs), "excel-no")
    assert read_today_csv(text.encode(), "today.csv", scenario) == {
        "5620": pytest.approx({s: 1_000_000 for s in result.model.costs})}  # entered ones only, as entered
    lines = text.splitlines()
    gamvik = next(i for i, line in enumerate(lines) if line.startswith("5626;Gamvik;ict;"))
    lines[gamvik] = lines[gamvik] + "2 500 000"
    entered = read_today_csv("\n".join(lines).encode(), "today.csv", scenario)
    assert entered["5626"] == {"ict": 2_500_000.0}
    lines[gamvik] = lines[gamvik].replace("2 500 000", "2.500.000")
    with pytest.raises(UserInputError, match="kolonne 6"):
        read_today_csv("\n".join(lines).encode(), "today.csv", scenario)
