"""Plain-language text for rule groups and infeasible scenarios (bokmål or English)."""

from __future__ import annotations

from optimizer.errors import InfeasibleError
from optimizer.i18n import language, tr
from optimizer.scenario import Scenario


def describe_rule(group: str, scenario: Scenario, *, with_key: bool = True) -> str:
    """``services.ict.max_units`` -> ``IKT-drift: høyst 1 enhet (services.ict.max_units)``.

    ``with_key=False`` leaves the scenario key out, for screens and slides read by non-analysts.
    """
    f = scenario.fairness
    if group.startswith("services."):
        _, sid, rule = group.split(".", 2)
        try:
            spec = scenario.service(sid)
        except KeyError:
            return group
        name = spec.service.name(language())
        def hosts(numbers) -> str:
            return ", ".join(f"{h} {scenario.name(h)}" for h in numbers)

        minutes = spec.value("max_travel_minutes")
        # built only for the rule asked about: the other keys may be unset (None) for this service
        texts = {
            "max_travel_minutes": lambda: tr(
                f"høyst {minutes:g} minutters reisetid til verten", f"at most {minutes:g} minutes' travel to the host")
            if minutes is not None else tr("reisetid til verten", "travel time to the host"),
            "capacity_fte": lambda: tr("kapasitet i årsverk per vert", "capacity in FTE per host"),
            "forbidden_hosts": lambda: tr(f"kan ikke være vert: {hosts(spec.forbidden_hosts)}",
                                          f"may not host: {hosts(spec.forbidden_hosts)}"),
            "required_hosts": lambda: tr(f"må være vert: {hosts(spec.required_hosts)}",
                                         f"must host: {hosts(spec.required_hosts)}"),
            "max_units": lambda: tr(f"høyst {spec.max_units} enhet(er)", f"at most {spec.max_units} unit(s)"),
        }
        text = texts[rule]() if rule in texts else rule
        return f"{name}: {text} ({group})" if with_key else f"{name}: {text}"
    texts = {
        "fairness.min_shared_units_hosted": lambda: tr(
            f"hvert grunnleggende medlem er vert for minst {f.min_shared_units_hosted} felles enhet(er)",
            f"every founding member hosts at least {f.min_shared_units_hosted} shared unit(s)"),
        "fairness.fte_band": lambda: tr(
            f"årsverk hos hvert medlem innenfor ±{100 * (f.fte_band or 0):g} prosentpoeng av befolkningsandelen",
            f"FTE hosted by each member within ±{100 * (f.fte_band or 0):g} points of its population share"),
        "fairness.individual_rationality": lambda: tr(
            f"ingen betaler mer enn alene (minste besparelse {f.min_saving_percent:g} %)",
            f"nobody pays more than alone (minimum saving {f.min_saving_percent:g} %)"),
        "fairness.max_fte_loss": lambda: tr(
            f"ingen mister mer enn {f.max_fte_loss or 0:g} årsverk mot å drive alene",
            f"no member loses more than {f.max_fte_loss or 0:g} FTE against running alone"),
    }
    text = texts[group]() if group in texts else group
    return f"{text} ({group})" if with_key else text


def explain_infeasible(error: InfeasibleError, scenario: Scenario) -> str:
    """A message that names the rules that cannot be met together, and what to do."""
    rules = "; ".join(describe_rule(g, scenario) for g in error.culprits)
    if len(error.culprits) == 1:
        return tr(
            f"{scenario.id}: ingen plan oppfyller regelen {rules}. Løs opp denne regelen.",
            f"{scenario.id}: no plan meets the rule {rules}. Loosen this rule.",
        )
    return tr(
        f"{scenario.id}: ingen plan oppfyller disse reglene samtidig: {rules}. Løs opp minst én av dem.",
        f"{scenario.id}: no plan meets these rules together: {rules}. Loosen at least one of them.",
    )
