"""From plan to agreement: today's costs, one-off costs and phase-in, the budget over the years of the
agreement, payments on account, the year-end settlement and the exit terms (``docs/AGREEMENT.md``).

Inputs: the ``[agreement]`` table of a scenario over the catalogue's ``[agreement]`` parameters
(``spec``). Each module has one job: ``references`` (the two references a saving is measured
against), ``one_off`` (one-off costs and staff transfers), ``budget`` (phase-in, running cost per
year, payback, present value), ``payments`` (on-account schedule), ``year_end`` (actuals CSV and
true-ups), ``exit_terms`` (what a leaving member owes), ``agreement`` (all of it for one scenario).
"""
