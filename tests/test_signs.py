"""Every change carries its sign and a word; newcomer and A/B figures split founders from newcomers."""

from __future__ import annotations

import pytest

from optimizer import views
from optimizer.i18n import set_language
from optimizer.newcomer import join

from test_views import statement_of


def test_change_words_and_cells_carry_sign_and_word():
    assert views.change_words(-63_053) == "betaler 63\u00a0053\u00a0kr mindre"
    assert views.change_words(63_053.4) == "betaler 63\u00a0053\u00a0kr mer"
    assert views.change_words(0.4) == "uendret"
    assert views.change_cell(-63_053) == "\u221263\u00a0053\u00a0kr (betaler mindre)"
    assert views.change_cell(12, "saves") == "+12\u00a0kr (sparer mer)"
    set_language("en")
    assert views.change_words(-5, "costs") == "costs 5\u00a0kr less"


@pytest.fixture(scope="module")
def tana():
    baseline = statement_of("baseline")
    return baseline, statement_of("join_tana"), join(baseline.result.scenario, "5628", baseline)


def test_newcomer_sentence_names_the_gain_of_each_member_and_the_range(tana):
    baseline, _, change = tana
    text = views.newcomer_text(change)
    method = baseline.result.scenario.settlement_method
    before = {m: baseline.outcomes[method].total(m) for m in baseline.result.members}
    after = {m: change.after.outcomes[method].total(m) for m in baseline.result.members}
    together = sum(before.values()) - sum(after.values())
    assert f"sparer dagens medlemmer {views.format_nok(together)} til sammen" in text
    for m in baseline.result.members:
        assert f"{baseline.result.scenario.name(m)} {views.change_words(after[m] - before[m])}" in text
    share = change.after.outcomes[method].total("5628")
    low = change.after.result.total_cost - baseline.result.total_cost
    high = change.after.result.stand_alone("5628")
    assert ("innenfor" if low <= share <= high else "utenfor") in text
    rows = views.newcomer_rows(change)
    assert all(r["Endring"] == "–" or "(betaler m" in r["Endring"] for r in rows)


def test_ab_saving_splits_into_founders_and_newcomer(tana):
    baseline, with_tana, _ = tana
    comparison = views.compare(baseline, with_tana)
    split = comparison.saving
    ra, rb = baseline.result, with_tana.result
    # alone costs of the four are the same in A and B, so the saving change splits exactly
    delta_saving = (rb.total_stand_alone - rb.total_cost) - (ra.total_stand_alone - ra.total_cost)
    assert sum(split.staying.values()) + sum(split.newcomers.values()) == pytest.approx(delta_saving, abs=1.0)
    assert set(split.newcomers) == {"5628"} and set(split.staying) == set(ra.members)
    assert "Tana er ny i B og sparer" in split.sentence
    assert all("(" in row["Endring"] for row in comparison.totals)


@pytest.mark.parametrize("n_rows, n_values", [(2, 11), (8, 4), (11, 11), (1, 1), (18, 3)])
def test_projector_pages_keep_every_cell_once_and_stay_narrow(n_rows, n_values):
    rows = [{"name": f"r{i}", **{f"c{j}": i * 100 + j for j in range(n_values)}} for i in range(n_rows)]
    pages = views.projector_pages(rows, per_page=3)
    assert all(len(page[0]) <= 4 for page in pages)
    cells = sorted(v for page in pages for row in page for k, v in list(row.items())[1:])
    assert cells == sorted(i * 100 + j for i in range(n_rows) for j in range(n_values))
    turned = n_values > 3 and n_values > n_rows
    assert all(len(page) == (n_values if turned else n_rows) for page in pages)


def test_ab_sentence_names_a_member_that_left(tana):
    baseline, with_tana, _ = tana
    split = views.compare(with_tana, baseline).saving
    saved = with_tana.result.stand_alone("5628") - with_tana.chosen.total("5628")
    assert f"Tana er ikke med i B (i A sparte Tana {views.format_nok(saved)}" in split.sentence
    assert split.newcomers == {}
