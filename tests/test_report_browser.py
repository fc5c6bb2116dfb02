"""The HTML statement in headless Chromium: every member is shown, and it prints a page per member."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from optimizer.newcomer import statement_for
from optimizer.report.html_statement import statement_html
from optimizer.scenario import load_scenario
from optimizer.views import member_label

from conftest import SCENARIOS

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")
if not CHROMIUM.exists():
    pytest.skip("headless Chromium not installed (/usr/bin/chromium)", allow_module_level=True)

BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"]


def test_statement_shows_every_member_and_prints_a_page_each(tmp_path):
    statement = statement_for(load_scenario(SCENARIOS / "baseline.toml"))
    scenario = statement.result.scenario
    page_file = tmp_path / "baseline.html"
    page_file.write_text(statement_html([statement], "nb", date(2026, 11, 27)), encoding="utf-8")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 1400})
            page.goto(page_file.as_uri())
            for m in statement.result.members:
                heading = page.get_by_role("heading", name=f"Oppgjørsoppstilling: {member_label(scenario, m)}")
                assert heading.is_visible()
            page.emulate_media(media="print")
            breaks = page.evaluate(
                "[...document.querySelectorAll('section.member')].map(s => getComputedStyle(s).breakAfter)")
            assert breaks == ["page"] * (len(statement.result.members) - 1) + ["auto"]
            page.screenshot(path=str(tmp_path / "print.png"), full_page=True)
            assert (tmp_path / "print.png").stat().st_size > 10_000
        finally:
            browser.close()
