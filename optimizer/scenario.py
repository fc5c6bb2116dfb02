"""Scenario files (TOML): read, follow ``extends``, validate and resolve against the embedded data.

A scenario names its members (founding and border municipalities), switches services on and off,
overrides catalogue parameters, and sets the rules (travel, capacity, hosts, fairness), the cost key
and the solver. Every error names the file, the key and what was expected (see ``UserInputError``).
"""

from __future__ import annotations

import difflib
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NoReturn

from optimizer import data
from optimizer.bounds import bound, number_text
from optimizer.data import Link, Municipality, Param, Service, TravelParams
from optimizer.errors import UserInputError
from optimizer.i18n import tr
from optimizer.output import safe_name
from optimizer.reading import check_text, read_limited
from optimizer.solver import SOLVERS, SolverOptions
from optimizer.ssb.folder import ImportedData, load_data_folder
from optimizer.travel import base_links_needed, network_nodes

COST_KEYS = ("fixed_plus_per_capita", "per_capita", "by_usage", "equal")
SETTLEMENT_METHODS = (
    "cost_key",
    "per_capita",
    "fixed_plus_per_capita",
    "by_usage",
    "proportional_to_stand_alone",
    "equal_savings",
    "shapley",
    "nucleolus",
    "least_core",
)
STAFFING = ("steps", "continuous")
IR_REFERENCES = ("robust_alone", "today")  # what individual rationality measures a payment against
YEARS_DEFAULT = 4  # the agreement's length ([agreement] / [uncertainty] years); its limits: optimizer.bounds
YEARS_LIMITS = (int(bound("uncertainty.years").low), int(bound("uncertainty.years").high))
MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 12  # tables and lists nested deeper than any scenario key goes


@dataclass(frozen=True)
class ServiceSpec:
    """A service as a scenario uses it: catalogue entry with overrides, and its cost-side rules."""

    service: Service
    max_units: int | None = None
    required_hosts: tuple[str, ...] = ()
    forbidden_hosts: tuple[str, ...] = ()
    capacity_fte: Mapping[str, float] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.service.id

    def value(self, param: str) -> float | None:
        return self.service.value(param)


@dataclass(frozen=True)
class Fairness:
    """Job-spread and individual-rationality rules; their cost is the price of fairness."""

    enabled: bool = True
    min_shared_units_hosted: int = 0
    fte_band: float | None = None
    individual_rationality: bool = True
    min_saving_percent: float = 0.0
    max_fte_loss: float | None = None  # FTE a member may lose against its stand-alone staffing
    ir_reference: str = "robust_alone"  # or "today": each member's actual cost today (optimizer.economics)


@dataclass(frozen=True)
class CostKey:
    """How each unit's cost is pooled among the members it serves."""

    method: str = "fixed_plus_per_capita"
    fixed_share: float = 0.3


@dataclass(frozen=True)
class TravelSpec:
    """Travel parameters; ``params.links`` is the registry with the scenario's own links and
    overrides, ``links`` the ids of the optional links switched on (base links are always on)."""

    params: TravelParams
    winter: bool = False
    links: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scenario:
    """A fully resolved scenario: every member a 4-digit number, every parameter a value."""

    id: str
    title: str
    description: str
    members: tuple[str, ...]
    founding: tuple[str, ...]
    municipalities: Mapping[str, Municipality]
    services: tuple[ServiceSpec, ...]
    disabled_services: tuple[Service, ...]
    fairness: Fairness
    cost_key: CostKey
    travel: TravelSpec
    solver: SolverOptions
    staffing: str = "steps"
    fte_step: float = 0.5
    scale_stand_alone: bool = False
    settlement_method: str = "cost_key"
    raw: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""
    origins: Mapping[str, str] = field(default_factory=dict)
    imported: ImportedData | None = None  # SSB data folder used instead of embedded figures

    def population(self, member: str) -> int:
        return self.municipalities[member].population

    def name(self, member: str) -> str:
        return self.municipalities[member].name

    def service(self, service_id: str) -> ServiceSpec:
        for spec in self.services:
            if spec.id == service_id:
                return spec
        raise KeyError(service_id)

    def estimates(self) -> list[str]:
        """Dotted names of every input used that is an estimate."""
        out = [
            f"services.{s.id}.{name}" for s in self.services
            for name, p in s.service.params.items() if p.is_estimate
        ]
        t = self.travel.params
        out += [f"travel.{k}" for k in ("hours_per_fte", "km_rate") if getattr(t, k).is_estimate]
        if self.travel.winter:
            out.append("travel.winter_penalty_minutes")
        out += [f"travel.speed_kmh.{k}" for k, p in t.speed_kmh.items() if p.is_estimate]
        centres = [self.municipalities[m].centre for m in self.members]
        used = base_links_needed(data.road_edges(), t, centres)
        used += [t.links[lid] for lid in self.travel.links if not t.links[lid].base]
        for link in used:
            out += [f"travel.links.{link.id}.{k}" for k, p in link.params().items() if p.is_estimate]
        if self.scale_stand_alone:
            out += [f"municipalities.{m}.cost_level" for m in self.members if self.municipalities[m].cost_level_estimate]
        return out


# ---------------------------------------------------------------------------------------------
# Reading files and following `extends`


def read_scenario_file(path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """Read ``path`` and everything it extends; return the merged table and each key's file."""
    return _read_chain(Path(path), ())


def _read_chain(path: Path, seen: tuple[Path, ...]) -> tuple[dict[str, Any], dict[str, str]]:
    resolved = path.resolve()
    if resolved in seen:
        chain = " -> ".join(p.name for p in (*seen, resolved))
        raise UserInputError(str(seen[-1]), "extends", tr(
            f"sirkulær arv mellom scenariofiler: {chain}",
            f"cycle in extends: {chain}",
        ))
    table = _read_toml(path)
    origins = {key: str(path) for key in _leaf_keys(table)}
    parent_name = table.pop("extends", None)
    if parent_name is None:
        return table, origins
    if not isinstance(parent_name, str):
        raise UserInputError(str(path), "extends", tr(
            f"forventet et filnavn (tekst), fikk {_type_name(parent_name)}",
            f"expected a file name (string), got {_type_name(parent_name)}",
        ))
    parent_path = path.parent / parent_name
    if not parent_path.is_file():
        raise UserInputError(str(path), "extends", tr(
            f"fant ikke filen {parent_name!r} (søkte i {parent_path.parent})",
            f"file {parent_name!r} not found (looked in {parent_path.parent})",
        ))
    parent, parent_origins = _read_chain(parent_path, (*seen, resolved))
    origins.pop("extends", None)
    return merge_tables(parent, table), {**parent_origins, **origins}


def _read_toml(path: Path) -> dict[str, Any]:
    return parse_toml(read_limited(path, MAX_FILE_BYTES), str(path))


def parse_toml(raw: bytes, source: str) -> dict[str, Any]:
    """Parse TOML bytes; a syntax error names the line and column.

    A UTF-8 byte-order mark is skipped and text is normalised to NFC (so a name typed in
    decomposed form, e.g. by macOS, matches); tables and lists may nest ``MAX_DEPTH`` deep.
    """
    check_text(raw, source, "en TOML-tekstfil", "a TOML text file")
    try:
        table = tomllib.loads(unicodedata.normalize("NFC", raw.decode("utf-8").removeprefix("\ufeff")))
    except UnicodeDecodeError:
        raise UserInputError(source, None, tr(
            "filen er ikke UTF-8-tekst", "the file is not UTF-8 text"
        )) from None
    except tomllib.TOMLDecodeError as exc:
        raise UserInputError(source, None, tr(
            f"ugyldig TOML: {exc}", f"invalid TOML: {exc}"
        )) from None
    except RecursionError:
        table = None
    if table is None or _too_deep(table):
        raise UserInputError(source, None, tr(
            f"ugyldig TOML: lister eller tabeller nestet dypere enn {MAX_DEPTH} nivåer",
            f"invalid TOML: lists or tables nested deeper than {MAX_DEPTH} levels"))
    return table


def _too_deep(table: Mapping[str, Any]) -> bool:
    """Whether tables or lists nest more than ``MAX_DEPTH`` levels (checked without recursion)."""
    stack: list[tuple[Any, int]] = [(table, 1)]
    while stack:
        value, depth = stack.pop()
        children = value.values() if isinstance(value, Mapping) else value if isinstance(value, list) else ()
        for child in children:
            if isinstance(child, Mapping | list):
                if depth >= MAX_DEPTH:
                    return True
                stack.append((child, depth + 1))
    return False


def merge_tables(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; arrays and values in ``override`` replace those in ``base``."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge_tables(out[key], value)
        else:
            out[key] = value
    return out


def _leaf_keys(table: Mapping[str, Any], prefix: str = "") -> list[str]:
    keys = []
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            keys.append(dotted)
            keys += _leaf_keys(value, dotted + ".")
        else:
            keys.append(dotted)
    return keys


# ---------------------------------------------------------------------------------------------
# Validation and resolution


def load_scenario(path: str | Path) -> Scenario:
    """Read, merge and resolve a scenario file; the scenario id is the file's stem."""
    path = Path(path)
    table, origins = read_scenario_file(path)
    return resolve(table, scenario_id=path.stem, source=str(path), origins=origins)


def resolve(
    table: Mapping[str, Any],
    *,
    scenario_id: str,
    source: str = "<scenario>",
    origins: Mapping[str, str] | None = None,
    imported: ImportedData | None = None,
) -> Scenario:
    """Validate a merged scenario table and resolve it against the embedded data.

    Figures from an imported SSB data folder (the scenario's ``data`` key, or ``imported`` given
    directly, e.g. from an app upload) replace the embedded ones where they exist; the scenario's
    own overrides replace both.
    """
    v = _Validator(source, origins or {})
    problem = safe_name(scenario_id)
    if problem is not None:
        raise UserInputError(source, None, tr(
            f"scenario-id-en {scenario_id!r} (filnavnet uten .toml) kan ikke brukes som mappenavn: {problem}; gi filen et annet navn",
            f"the scenario id {scenario_id!r} (file name without .toml) cannot be a folder name: {problem}; rename the file"))
    v.known_keys(table, "", TOP_KEYS)
    imported = imported or _data_folder(v, table.get("data"))
    municipalities = dict(data.municipalities())
    if imported is not None:
        for number, figures in imported.municipalities.items():
            municipalities[number] = replace(
                municipalities[number],
                population=figures.population or municipalities[number].population,
                children_0_17=figures.children_0_17,
            )
    members = v.member_list(table.get("members"), "members", municipalities, required=True)
    founding_default = [m for m in members if municipalities[m].role == data.ROLE_FOUNDING]
    founding = v.member_list(table.get("founding", founding_default), "founding", municipalities)
    v.subset(founding, members, "founding")
    municipalities = _municipality_overrides(v, table.get("municipalities", {}), municipalities)

    catalogue = data.catalogue()
    services_table = v.table(table.get("services", {}), "services")
    specs, disabled = [], []
    for sid, service in catalogue.services.items():
        entry = v.table(services_table.get(sid, {}), f"services.{sid}")
        if imported is not None:
            service = _with_imported(service, imported)
        spec = _service_spec(v, sid, service, entry, members, municipalities)
        if spec is None:
            disabled.append(service)
        else:
            specs.append(spec)
    for sid in services_table:
        if sid not in catalogue.services:
            v.fail(f"services.{sid}", v.unknown(sid, catalogue.services, "tjeneste", "service"))
    if not specs:
        v.fail("services", tr("alle tjenestene er slått av; slå på minst én", "every service is switched off; switch on at least one"))

    fairness = _fairness(v, v.table(table.get("fairness", {}), "fairness"))
    _check_founding_rule(v, fairness, founding)
    cost_key = _cost_key(v, v.table(table.get("cost_key", {}), "cost_key"))
    travel = _travel(v, v.table(table.get("travel", {}), "travel"), catalogue.travel, municipalities)
    solver_table = v.table(table.get("solver", {}), "solver")
    v.known_keys(solver_table, "solver", SOLVER_KEYS)
    solver = SolverOptions(
        name=v.choice(solver_table.get("name", "highs"), "solver.name", SOLVERS),
        gap_rel=v.number(solver_table.get("gap_rel", 0.0), "solver.gap_rel", low=0.0, high=0.5),
        time_limit=None if solver_table.get("time_limit") is None else v.bounded(solver_table["time_limit"], "solver.time_limit"),
        threads=v.bounded(solver_table.get("threads", 1), "solver.threads", integer=True),
    )
    cost_level = v.table(table.get("cost_level", {}), "cost_level")
    v.known_keys(cost_level, "cost_level", {"scale_stand_alone"})
    settlement = v.table(table.get("settlement", {}), "settlement")
    v.known_keys(settlement, "settlement", {"method"})
    return Scenario(
        id=scenario_id,
        title=v.string(table.get("name", scenario_id), "name"),
        description=v.string(table.get("description", ""), "description"),
        members=tuple(members),
        founding=tuple(founding),
        municipalities=municipalities,
        services=tuple(specs),
        disabled_services=tuple(disabled),
        fairness=fairness,
        cost_key=cost_key,
        travel=travel,
        solver=solver,
        staffing=v.choice(solver_table.get("staffing", "steps"), "solver.staffing", STAFFING),
        fte_step=v.number(solver_table.get("fte_step", 0.5), "solver.fte_step", low=0.01, high=10.0),
        scale_stand_alone=v.boolean(cost_level.get("scale_stand_alone", False), "cost_level.scale_stand_alone"),
        settlement_method=v.choice(settlement.get("method", "cost_key"), "settlement.method", SETTLEMENT_METHODS),
        raw=dict(table),
        source=source,
        origins=dict(origins or {}),
        imported=imported,
    )


TOP_KEYS = {
    "name", "description", "members", "founding", "municipalities", "services", "fairness",
    "cost_key", "travel", "solver", "cost_level", "settlement", "uncertainty", "data", "agreement",
}
SERVICE_KEYS = {"enabled", *data.SERVICE_PARAMS, "max_units", "required_hosts", "forbidden_hosts", "capacity_fte"}
FAIRNESS_KEYS = {
    "enabled", "min_shared_units_hosted", "fte_band", "individual_rationality", "min_saving_percent", "max_fte_loss",
    "ir_reference",
}
TRAVEL_KEYS = {"winter", "links", "km_rate", "hours_per_fte", "winter_penalty_minutes"}
SOLVER_KEYS = {"name", "gap_rel", "time_limit", "threads", "staffing", "fte_step"}
PARAM_LIMITS = {name: (float(bound(f"services.*.{name}").low), float(bound(f"services.*.{name}").high))
                for name in data.SERVICE_PARAMS}  # from optimizer.bounds, for the app's widgets


def _data_folder(v: _Validator, value: Any) -> ImportedData | None:
    """The imported data folder named by ``data``, relative to the file that sets it."""
    if value is None:
        return None
    folder = Path(v.string(value, "data"))
    origin = Path(v.origin("data"))
    if not folder.is_absolute() and origin.is_file():
        folder = origin.parent / folder
    if not folder.is_dir():
        v.fail("data", tr(
            f"fant ikke datamappen {value!r} (søkte i {folder}); lag den med python -m optimizer import",
            f"data folder {value!r} not found (looked in {folder}); make it with python -m optimizer import",
        ))
    return load_data_folder(folder)


def _with_imported(service: Service, imported: ImportedData) -> Service:
    """``service`` with the parameters the data folder gives, checked against the scenario limits."""
    params = dict(service.params)
    for name in data.SERVICE_PARAMS:
        param = imported.param(service.id, name)
        if param is None:
            continue
        low, high = PARAM_LIMITS[name]
        if not low <= param.value <= high:
            raise UserInputError(str(Path(imported.folder) / "parameters.csv"), f"{service.id}.{name}", tr(
                f"{param.value:g} er utenfor {low:g}–{high:g}", f"{param.value:g} is outside {low:g}–{high:g}"))
        params[name] = param
    return replace(service, params=params)


def _municipality_overrides(v: _Validator, table: Any, municipalities: dict[str, Municipality]) -> dict[str, Municipality]:
    table = v.table(table, "municipalities")
    for key, entry in table.items():
        number = v.member(key, f"municipalities.{key}", municipalities)
        entry = v.table(entry, f"municipalities.{key}")
        v.known_keys(entry, f"municipalities.{key}", {"population"})
        if "population" in entry:
            pop = v.bounded(entry["population"], f"municipalities.{key}.population", integer=True)
            municipalities[number] = replace(municipalities[number], population=pop)
    return municipalities


def _service_spec(
    v: _Validator,
    sid: str,
    service: Service,
    entry: Mapping[str, Any],
    members: list[str],
    municipalities: Mapping[str, Municipality],
) -> ServiceSpec | None:
    key = f"services.{sid}"
    v.known_keys(entry, key, SERVICE_KEYS)
    enabled = v.boolean(entry.get("enabled", service.enabled), f"{key}.enabled")
    if not enabled:
        return None
    if not service.enabled:
        v.fail(f"{key}.enabled", tr(service.disabled_reason_nb, service.disabled_reason_en))
    params = dict(service.params)
    for name in data.SERVICE_PARAMS:
        if name in entry:
            low, high = PARAM_LIMITS[name]
            value = v.number(entry[name], f"{key}.{name}", low=low, high=high)
            params[name] = Param(value, "scenario", f"set in the scenario ({v.origin(f'{key}.{name}')})")
    max_units = entry.get("max_units")
    if max_units is not None:
        # bounded, then at most one unit per member: a larger value is no limit (and stays valid when
        # members are taken out, e.g. in the app)
        max_units = min(v.bounded(max_units, f"{key}.max_units", integer=True), len(members))
    required = v.member_list(entry.get("required_hosts", []), f"{key}.required_hosts", municipalities)
    forbidden = v.member_list(entry.get("forbidden_hosts", []), f"{key}.forbidden_hosts", municipalities)
    v.subset(required, members, f"{key}.required_hosts")
    v.subset(forbidden, members, f"{key}.forbidden_hosts")
    both = sorted(set(required) & set(forbidden))
    if both:
        v.fail(f"{key}.required_hosts", tr(
            f"{', '.join(both)} er både påkrevd og forbudt som vert",
            f"{', '.join(both)} is both required and forbidden as host",
        ))
    capacity_table = v.table(entry.get("capacity_fte", {}), f"{key}.capacity_fte")
    capacity = {}
    for who, cap in capacity_table.items():
        number = v.member(who, f"{key}.capacity_fte.{who}", municipalities)
        v.subset([number], members, f"{key}.capacity_fte.{who}")
        capacity[number] = v.bounded(cap, f"{key}.capacity_fte.{who}")
    return ServiceSpec(
        service=replace(service, params=params),
        max_units=max_units,
        required_hosts=tuple(required),
        forbidden_hosts=tuple(forbidden),
        capacity_fte=capacity,
    )


def _fairness(v: _Validator, table: Mapping[str, Any]) -> Fairness:
    v.known_keys(table, "fairness", FAIRNESS_KEYS)
    band = table.get("fte_band")
    loss = table.get("max_fte_loss")
    return Fairness(
        enabled=v.boolean(table.get("enabled", True), "fairness.enabled"),
        min_shared_units_hosted=v.bounded(table.get("min_shared_units_hosted", 0), "fairness.min_shared_units_hosted",
                                          integer=True),
        fte_band=None if band is None else v.bounded(band, "fairness.fte_band"),
        individual_rationality=v.boolean(table.get("individual_rationality", True), "fairness.individual_rationality"),
        min_saving_percent=v.bounded(table.get("min_saving_percent", 0.0), "fairness.min_saving_percent"),
        max_fte_loss=None if loss is None else v.bounded(loss, "fairness.max_fte_loss"),
        ir_reference=v.choice(table.get("ir_reference", "robust_alone"), "fairness.ir_reference", IR_REFERENCES),
    )


def _check_founding_rule(v: _Validator, fairness: Fairness, founding: list[str]) -> None:
    """A rule for founding members with no founding member would silently apply to nobody: refuse it."""
    if fairness.enabled and fairness.min_shared_units_hosted > 0 and not founding:
        k = fairness.min_shared_units_hosted
        v.fail("founding", tr(
            f"ingen av medlemmene er grunnleggende medlem, så regelen fairness.min_shared_units_hosted = {k} "
            "ville ikke gjelde noen; list de grunnleggende medlemmene i founding = [...], "
            "eller sett fairness.min_shared_units_hosted = 0",
            f"no member is a founding member, so the rule fairness.min_shared_units_hosted = {k} would apply to "
            "nobody; list the founding members in founding = [...], or set fairness.min_shared_units_hosted = 0",
        ))


def _cost_key(v: _Validator, table: Mapping[str, Any]) -> CostKey:
    v.known_keys(table, "cost_key", {"method", "fixed_share"})
    return CostKey(
        method=v.choice(table.get("method", "fixed_plus_per_capita"), "cost_key.method", COST_KEYS),
        fixed_share=v.bounded(table.get("fixed_share", 0.3), "cost_key.fixed_share"),
    )


def _travel(
    v: _Validator, table: Mapping[str, Any], params: TravelParams, municipalities: Mapping[str, Municipality]
) -> TravelSpec:
    v.known_keys(table, "travel", TRAVEL_KEYS)
    overrides = {}
    for name, (low, high) in {"km_rate": (0.0, 100.0), "hours_per_fte": (100.0, 3000.0), "winter_penalty_minutes": (0.0, 1440.0)}.items():
        if name in table:
            value = v.number(table[name], f"travel.{name}", low=low, high=high)
            overrides[name] = Param(value, "scenario", f"set in the scenario ({v.origin(f'travel.{name}')})")
    registry, selected = _links(v, table.get("links", []), params.links, municipalities)
    return TravelSpec(
        params=replace(params, links=registry, **overrides),
        winter=v.boolean(table.get("winter", False), "travel.winter"),
        links=selected,
    )


LINK_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
LINK_KEYS = {"from", "to", "minutes", "fare", "wait_minutes", "one_way", "mode"}
LINK_OVERRIDE_KEYS = {"minutes", "fare", "wait_minutes"}
LINK_LIMITS = {"minutes": (1.0, 10_000.0), "fare": (0.0, 100_000.0), "wait_minutes": (0.0, 1440.0)}


def _links(
    v: _Validator, value: Any, registry: Mapping[str, Link], municipalities: Mapping[str, Municipality]
) -> tuple[dict[str, Link], tuple[str, ...]]:
    """The link registry as the scenario uses it, and the ids of the optional links switched on.

    ``links = ["id", ...]`` switches registry links on. The table form ``[travel.links.<id>]``
    switches a registry link on (keys ``minutes``, ``fare``, ``wait_minutes`` override its figures;
    for a base link only that) or defines a link of the scenario's own (``from``, ``to``,
    ``minutes``, ``fare``; optional ``wait_minutes``, ``one_way``, ``mode``).
    """
    out = dict(registry)
    if isinstance(value, list):
        for i, lid in enumerate(value):
            if not isinstance(lid, str) or lid not in registry:
                v.fail(f"travel.links[{i}]", v.unknown(str(lid), registry, "lenke", "link"))
        return out, tuple(lid for lid in dict.fromkeys(value) if not registry[lid].base)
    if not isinstance(value, Mapping):
        v.fail("travel.links", v.expected(
            "en liste med lenke-id-er eller tabeller [travel.links.<id>]",
            "a list of link ids or tables [travel.links.<id>]", value))
    nodes = None
    for lid, entry in value.items():
        key = f"travel.links.{lid}"
        if not LINK_ID.fullmatch(lid):
            v.fail(key, tr("lenke-id-en kan bare ha bokstaver a–z, sifre, _ og - (høyst 64 tegn)",
                           "a link id may only have letters a–z, digits, _ and - (at most 64 characters)"))
        entry = v.table(entry, key)
        if lid in registry:
            v.known_keys(entry, key, LINK_OVERRIDE_KEYS)
            link = registry[lid]
            out[lid] = replace(
                link,
                minutes=_link_param(v, entry, key, "minutes") or link.minutes,
                fare=_link_param(v, entry, key, "fare") or link.fare,
                wait=_link_param(v, entry, key, "wait_minutes") or link.wait,
            )
            continue
        v.known_keys(entry, key, LINK_KEYS)
        missing = [name for name in ("from", "to", "minutes", "fare") if name not in entry]
        if missing:
            v.fail(f"{key}.{missing[0]}", tr(
                f"mangler: en ny lenke trenger from, to, minutes og fare (mangler {', '.join(missing)})",
                f"missing: a new link needs from, to, minutes and fare (missing {', '.join(missing)})",
            ))
        if nodes is None:
            nodes = network_nodes(data.road_edges(), registry.values())
        a = _link_place(v, entry["from"], f"{key}.from", nodes, municipalities)
        b = _link_place(v, entry["to"], f"{key}.to", nodes, municipalities)
        if a == b:
            v.fail(f"{key}.to", tr(f"samme sted som from ({a})", f"the same place as from ({a})"))
        out[lid] = Link(
            lid, a, b, v.string(entry.get("mode", "scenario"), f"{key}.mode"),
            minutes=_link_param(v, entry, key, "minutes"),
            fare=_link_param(v, entry, key, "fare"),
            wait=_link_param(v, entry, key, "wait_minutes"),
            one_way=v.boolean(entry.get("one_way", False), f"{key}.one_way"),
        )
    selected = tuple(lid for lid in value if not out[lid].base)
    return out, selected


def _link_param(v: _Validator, entry: Mapping[str, Any], key: str, name: str) -> Param | None:
    if name not in entry:
        return None
    low, high = LINK_LIMITS[name]
    value = v.number(entry[name], f"{key}.{name}", low=low, high=high)
    return Param(value, "scenario", f"set in the scenario ({v.origin(f'{key}.{name}')})")


def _link_place(v: _Validator, value: Any, key: str, nodes: set[str], municipalities: Mapping[str, Municipality]) -> str:
    """A place on the network: a node name (centre, junction, ferry port) or a municipality (its centre)."""
    if isinstance(value, str):
        by_name = {n.casefold(): n for n in nodes}
        if value.strip().casefold() in by_name:
            return by_name[value.strip().casefold()]
    number = resolve_municipality(value, municipalities)
    if number is not None:
        return municipalities[number].centre
    v.fail(key, v.unknown(str(value), set(nodes), "sted i veinettet", "place on the network"))


class _Validator:
    """Checks values and raises ``UserInputError`` naming the file where the key was set."""

    def __init__(self, source: str, origins: Mapping[str, str]) -> None:
        self.source = source
        self.origins = origins

    def origin(self, key: str) -> str:
        base = key.split("[")[0]
        while base and base not in self.origins:
            base = base.rpartition(".")[0]
        return self.origins.get(base, self.source)

    def fail(self, key: str, problem: str) -> NoReturn:
        raise UserInputError(self.origin(key), key, problem)

    @staticmethod
    def expected(nb: str, en: str, got: Any) -> str:
        return tr(f"forventet {nb}, fikk {_show(got)}", f"expected {en}, got {_show(got)}")

    @staticmethod
    def unknown(name: str, known: Mapping[str, Any] | set[str], what_nb: str, what_en: str) -> str:
        close = difflib.get_close_matches(name, list(known), n=1)
        hint_nb = f" (mente du {close[0]!r}?)" if close else ""
        hint_en = f" (did you mean {close[0]!r}?)" if close else ""
        valid = ", ".join(sorted(known))
        return tr(
            f"ukjent {what_nb} {name!r}{hint_nb}; gyldige: {valid}",
            f"unknown {what_en} {name!r}{hint_en}; valid: {valid}",
        )

    def known_keys(self, table: Mapping[str, Any], key: str, allowed: set[str]) -> None:
        for name in table:
            if name not in allowed:
                full = f"{key}.{name}" if key else name
                self.fail(full, self.unknown(name, allowed, "nøkkel", "key"))

    def table(self, value: Any, key: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            self.fail(key, self.expected("en tabell", "a table", value))
        return value

    def string(self, value: Any, key: str) -> str:
        if not isinstance(value, str):
            self.fail(key, self.expected("tekst", "a string", value))
        return value

    def boolean(self, value: Any, key: str) -> bool:
        if not isinstance(value, bool):
            self.fail(key, self.expected("true eller false", "true or false", value))
        return value

    def number(self, value: Any, key: str, *, low: float | None = None, high: float | None = None) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            self.fail(key, self.expected("et tall", "a number", value))
        self._bounds(value, key, low, high)
        return float(value)

    def optional_number(self, value: Any, key: str, *, low: float | None = None) -> float | None:
        return None if value is None else self.number(value, key, low=low)

    def integer(self, value: Any, key: str, *, low: int | None = None, high: int | None = None) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, self.expected("et heltall", "a whole number", value))
        self._bounds(value, key, low, high)
        return value

    def bounded(self, value: Any, key: str, *, integer: bool = False, high: float | None = None) -> Any:
        """A number within the plausible range of ``key`` in ``optimizer.bounds`` (and at most ``high``)."""
        b = bound(key)
        top = b.high if high is None else min(b.high, high)
        if integer:
            return self.integer(value, key, low=int(b.low), high=int(top))
        return self.number(value, key, low=b.low, high=top)

    def _bounds(self, value: float, key: str, low: float | None, high: float | None) -> None:
        got = number_text(value)
        if low is not None and value < low:
            least = number_text(low)
            self.fail(key, tr(f"må være minst {least}, fikk {got}", f"must be at least {least}, got {got}"))
        if high is not None and value > high:
            most = number_text(high)
            self.fail(key, tr(f"må være høyst {most}, fikk {got}", f"must be at most {most}, got {got}"))

    def choice(self, value: Any, key: str, options: tuple[str, ...]) -> str:
        if value not in options:
            self.fail(key, self.expected(f"en av {', '.join(options)}", f"one of {', '.join(options)}", value))
        return value

    def member(self, value: Any, key: str, municipalities: Mapping[str, Municipality]) -> str:
        """A municipality given by 4-digit number (string or integer) or by name."""
        number = resolve_municipality(value, municipalities)
        if number is None:
            names = {m.name: n for n, m in municipalities.items()}
            known = {**{n: 0 for n in municipalities}, **names}
            self.fail(key, self.unknown(str(value), known, "kommune", "municipality"))
        return number

    def member_list(self, value: Any, key: str, municipalities: Mapping[str, Municipality], *, required: bool = False) -> list[str]:
        if value is None and required:
            self.fail(key, tr("mangler: list opp medlemmene (kommunenummer eller navn)",
                              "missing: list the members (municipality numbers or names)"))
        if not isinstance(value, list):
            self.fail(key, self.expected("en liste med kommuner", "a list of municipalities", value))
        out = []
        for i, item in enumerate(value):
            number = self.member(item, f"{key}[{i}]", municipalities)
            if number in out:
                self.fail(f"{key}[{i}]", tr(f"{number} står to ganger", f"{number} is listed twice"))
            out.append(number)
        if required and not out:
            self.fail(key, tr("minst ett medlem trengs", "at least one member is needed"))
        return out

    def subset(self, items: list[str], members: list[str], key: str) -> None:
        outside = [m for m in items if m not in members]
        if outside:
            self.fail(key, tr(
                f"{', '.join(outside)} er ikke medlem i scenarioet (members)",
                f"{', '.join(outside)} is not a member in this scenario (members)",
            ))


def agreement_years(scenario: Scenario) -> int:
    """The agreement's length in years: ``[agreement] years``, or as before ``[uncertainty] years``.

    One length for the budget and the simulation; a scenario that sets both must set them equal.
    """
    v = _Validator(scenario.source, scenario.origins)
    found = {}
    for table in ("agreement", "uncertainty"):
        section = scenario.raw.get(table, {})
        if isinstance(section, Mapping) and "years" in section:
            key = f"{table}.years"
            found[key] = v.integer(section["years"], key, low=YEARS_LIMITS[0])
            if found[key] > YEARS_LIMITS[1]:
                v.fail(key, v.expected(f"høyst {YEARS_LIMITS[1]}", f"at most {YEARS_LIMITS[1]}", found[key]))
    if len(set(found.values())) > 1:
        v.fail("agreement.years", tr(
            f"avtalens lengde er satt to ganger med ulike verdier ({found['agreement.years']} og uncertainty.years "
            f"= {found['uncertainty.years']}); sett bare agreement.years",
            f"the agreement's length is set twice with different values ({found['agreement.years']} and "
            f"uncertainty.years = {found['uncertainty.years']}); set only agreement.years",
        ))
    return next(iter(found.values()), YEARS_DEFAULT)


def resolve_municipality(value: Any, municipalities: Mapping[str, Municipality]) -> str | None:
    """4-digit number for a number (``"5620"``/``5620``) or a name (display, official or any part)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        value = f"{value:04d}"
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text in municipalities:
        return text
    folded = text.casefold()
    for number, m in municipalities.items():
        names = {m.name, m.official_name, *(part.strip() for part in m.official_name.split(" - "))}
        if folded in {n.casefold() for n in names}:
            return number
    return None


def _type_name(value: Any) -> str:
    return type(value).__name__


def _show(value: Any) -> str:
    if isinstance(value, Mapping):
        return tr("en tabell", "a table")
    if isinstance(value, list):
        return tr("en liste", "a list")
    return repr(value)
