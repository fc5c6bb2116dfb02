"""The app in a real browser as the meeting room sees it: page language, text alternatives, contrast,
projector text size and layout at 1280x720, the tab kept across a change, no Deploy button.

axe-core (npm) runs when its file is found (``AXE_CORE_JS``, or ``.ci/node/node_modules/axe-core/axe.min.js``
as ``.ci/run`` installs it); the own checks of language, alt texts and contrast run always.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import ROOT
from test_browser import BROWSER_ARGS, CHROMIUM, app_url, sync_api  # noqa: F401 - app_url is a fixture

AXE = Path(os.environ.get("AXE_CORE_JS", ROOT / ".ci" / "node" / "node_modules" / "axe-core" / "axe.min.js"))
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
IDLE = ("!document.querySelector('[data-testid=\"stStatusWidget\"]') "
        "&& !document.querySelector('[data-stale=\"true\"]') && !document.querySelector('[data-testid=\"stProgress\"]')")

# Contrast of every visible text element against the first opaque background behind it, with the
# opacity of its ancestors applied (WCAG 2.1 relative luminance). Returns the failures.
CONTRAST_JS = """() => {
  const rgba = s => { const m = s.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  const lum = ([r, g, b]) => { const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
                               return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const background = el => { for (let e = el; e; e = e.parentElement) { const c = rgba(getComputedStyle(e).backgroundColor);
                               if (c[3] > 0.99) return c; } return [255, 255, 255, 1]; };
  const failures = [];
  const main = document.querySelector('[data-testid="stMainBlockContainer"]');
  for (const el of main.querySelectorAll('p, span, td, th, li, h1, h2, h3, div')) {
    if (!el.offsetParent || el.closest('[data-testid="stVegaLiteChart"], svg, canvas')) continue;
    const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const style = getComputedStyle(el);
    let [r, g, b, a] = rgba(style.color);
    for (let e = el; e; e = e.parentElement) a *= Number(getComputedStyle(e).opacity);
    const bg = background(el);
    const fg = [r * a + bg[0] * (1 - a), g * a + bg[1] * (1 - a), b * a + bg[2] * (1 - a)];
    const [hi, lo] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const large = parseFloat(style.fontSize) >= 24 || (parseFloat(style.fontSize) >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) failures.push(`${ratio.toFixed(2)}: ${el.textContent.trim().slice(0, 60)}`);
  }
  return failures;
}"""

# Content text in the main area below 24 px (Streamlit's own controls are exempt).
SMALL_TEXT_JS = """() => {
  const main = document.querySelector('[data-testid="stMainBlockContainer"]');
  const small = [];
  for (const el of main.querySelectorAll('p, td, th, li, [data-testid="stMetricValue"]')) {
    if (!el.offsetParent || el.closest('[role="tablist"], button, label, [data-testid="stWidgetLabel"], '
                                        + '[data-testid="stExpander"] summary, [data-baseweb]')) continue;
    if (!el.textContent.trim()) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 23.5) small.push(`${size}px: ${el.textContent.trim().slice(0, 50)}`);
  }
  return small;
}"""


@pytest.fixture
def room(app_url):  # noqa: F811 - the fixture imported above
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720}, locale="nb-NO")
        page.goto(app_url)
        page.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
        page.wait_for_function(IDLE, timeout=90_000)
        page.wait_for_function("document.querySelectorAll('[data-testid=\"stVegaLiteChart\"][aria-label]').length >= 2",
                               timeout=120_000)
        yield page
        browser.close()


def settle(page) -> None:
    page.wait_for_timeout(800)
    page.wait_for_function(IDLE, timeout=120_000)
    page.wait_for_timeout(500)


def axe_violations(page) -> list[str]:
    if not AXE.exists():
        if os.environ.get("VERTSKOMMUNE_REQUIRE_BROWSER"):
            raise RuntimeError(f"axe-core not found at {AXE}")
        return []
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in found["violations"]]


def test_language_alt_texts_and_contrast(room):
    assert room.evaluate("document.documentElement.lang") == "nb"
    charts = room.locator('[data-testid="stVegaLiteChart"][aria-label]')
    labels = [charts.nth(i).get_attribute("aria-label") for i in range(charts.count())]
    assert len(labels) >= 2
    assert any(text.startswith("Kart over vertskommuner") and "er vert for" in text for text in labels)
    assert any(text.startswith("Kostnad per kommune") and "mill." in text for text in labels)
    assert room.get_by_role("button", name="Deploy").count() == 0
    assert room.evaluate(CONTRAST_JS) == []
    assert axe_violations(room) == []

    room.get_by_text("English").first.click()
    settle(room)
    assert room.evaluate("document.documentElement.lang") == "en"


def test_projector_mode_is_large_and_whole_at_1280x720(room):
    room.get_by_text("Stor skrift (projektor)").click()
    settle(room)
    joining = ("Måsøy", "Tana", "Berlevåg")  # seven members: long names and wide tables, a solve of seconds
    for name in joining:
        room.get_by_text(f"{name} blir med").click()
        settle(room)
    room.wait_for_function("() => document.querySelector('h1').textContent.includes('Berlevåg')", timeout=120_000)
    assert room.locator('[data-testid="stException"]').count() == 0
    for tab in ("Resultat", "Oppgjør", "Randkommuner", "Inndata"):
        room.get_by_role("tab", name=tab).click()
        settle(room)
        assert room.evaluate(SMALL_TEXT_JS) == [], tab
        wide = room.evaluate("""() => Array.from(document.querySelectorAll('[data-testid="stMainBlockContainer"] *'))
            .filter(e => e.offsetParent && e.textContent.trim() && e.scrollWidth > e.clientWidth + 2
                    && getComputedStyle(e).overflowX !== 'visible' && !e.closest('[role="tablist"], [data-baseweb]'))
            .map(e => (e.dataset.testid || e.tagName) + ': ' + e.textContent.slice(0, 40))""")
        assert wide == [], tab  # nothing scrolls sideways or is cut
    tabs = room.locator('[role="tab"]')
    right = room.evaluate("document.querySelector('[role=\"tablist\"]').getBoundingClientRect().right")
    assert all(tabs.nth(i).bounding_box()["x"] + tabs.nth(i).bounding_box()["width"] <= right + 1
               for i in range(tabs.count()))  # every tab shows, none behind an arrow
    failures = room.evaluate(CONTRAST_JS)
    assert failures == [], failures


def test_the_tab_stays_when_a_setting_changes(room):
    room.get_by_role("tab", name="Oppgjør").click()
    settle(room)
    room.get_by_text("Tana blir med").click()
    settle(room)
    assert room.get_by_role("tab", name="Oppgjør").get_attribute("aria-selected") == "true"
    assert "Tana" in room.locator("h1").first.text_content()
