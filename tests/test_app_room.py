"""The app in the meeting room: plain titles and change notes, the recommended method one click away."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from conftest import ROOT


def fresh() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    assert not at.exception and not at.error
    return at


def widget(elements, key_suffix: str):
    return next(w for w in elements if w.key and w.key.endswith(key_suffix))


def test_title_and_change_note_describe_the_edit_in_words():
    at = fresh()
    shipped = at.sidebar.selectbox(key="shipped").options
    assert "Grunnscenario" in shipped and "Tana blir med" in shipped and not any("_" in o for o in shipped)
    widget(at.sidebar.toggle, ":m:5628").set_value(True).run()
    widget(at.sidebar.checkbox, ":f:useband").set_value(False).run()
    assert not at.exception and not at.error
    assert at.title[0].value == "Grunnscenario \\+ Tana, uten FTE\\-bånd"
    note = next(c.value for c in at.caption if c.value.startswith("✎"))
    assert note == "✎ Endret fra «Grunnscenario»: + Tana, uten FTE-bånd"
    assert "." not in note.split(":", 1)[1].replace("FTE-bånd", "")  # no dotted raw key


def test_recommended_method_is_one_click_away():
    at = fresh()
    widget(at.sidebar.selectbox, ":settlement@nb").set_value("per_capita").run()
    assert not at.exception and not at.error
    assert any(i.value.startswith("Anbefalt: ") for i in at.info)
    at.button(key="switch_method").click().run()
    assert not at.exception and not at.error
    assert widget(at.sidebar.selectbox, ":settlement@nb").value == "shapley"
    assert not any(b.key == "switch_method" for b in at.button)


def test_members_come_first_and_the_accessibility_statement_opens():
    at = fresh()
    keys = [w.key for w in at.sidebar if getattr(w, "key", None)]
    first_member = next(i for i, k in enumerate(keys) if ":m:" in k)
    assert first_member < keys.index("shipped")  # members before the starting point in keyboard order
    at.sidebar.button(key="a11y_statement").click().run()
    assert not at.exception
    assert any("Tilgjengelighetserklæring" in str(getattr(e, "title", "")) or "WCAG" in getattr(e, "value", "")
               for e in at.markdown)


def test_english_page_in_words():
    at = fresh()
    widget(at.sidebar.toggle, ":m:5628").set_value(True).run()
    at.sidebar.radio[0].set_value("en").run()
    assert not at.exception and not at.error
    assert at.title[0].value == "Baseline \\+ Tana"
    assert next(c.value for c in at.caption if c.value.startswith("✎")) == "✎ Changed from “Baseline”: + Tana"
