"""Issue 12 in a real browser: a bad upload, an unexpected error in a tab and one outside every tab
never show a traceback or a server path; the unexpected ones show an incident id."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from conftest import ROOT
from test_browser import BROWSER_ARGS, CHROMIUM, free_port, sync_api, wait_until_up

pytestmark = pytest.mark.browser

# the server process breaks one library function, as a bug would, before streamlit runs app.py
SERVER = """
import sys
import optimizer.{module} as target
def broken(*args, **kwargs):
    raise RuntimeError("boom in /srv/vertskommune/app.py line 263")
target.{function} = broken
from streamlit.web import cli
sys.argv = ["streamlit", "run", sys.argv[1], "--server.headless=true", "--server.port=" + sys.argv[2],
            "--server.address=127.0.0.1", "--browser.gatherUsageStats=false"]
cli.main()
"""


def serve(module: str, function: str) -> Iterator[tuple[str, subprocess.Popen]]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", SERVER.format(module=module, function=function),
                             str(ROOT / "app.py"), str(port)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, proc)
        yield url, proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def page_text(url: str, wait_for: str, *texts: str) -> str:
    """The page's text once `wait_for` and every one of `texts` are shown (the tabs render after the
    key figures, so a fixed pause alone races the slower ones)."""
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1800}, locale="nb-NO")
        page.goto(url)
        page.wait_for_selector(wait_for, timeout=60_000)
        for text in texts:
            page.get_by_text(text).first.wait_for(timeout=60_000)
        page.wait_for_timeout(1000)
        text = page.inner_text("body")
        assert page.locator('[data-testid="stException"]').count() == 0
        browser.close()
    return text


def assert_no_internals(text: str) -> None:
    for word in ("Traceback", "boom", "/srv/", "app.py", "RuntimeError", "File \""):
        assert word not in text, word


def test_an_error_in_a_tab_shows_an_incident_id_and_the_rest_of_the_page():
    for url, proc in serve("views", "host_rows"):
        text = page_text(url, '[data-testid="stMetricValue"]', "hendelse")
        assert_no_internals(text)
        assert "hendelse" in text and "Samlet kostnad" in text  # the key figures above the tabs are shown
        proc.terminate()
        log = proc.communicate(timeout=10)[1]
        incident = text.split("hendelse ")[1][:8]
        assert f"incident {incident}" in log and "boom" in log  # the server log has the traceback


BAD_UPLOADS = {
    "dyp.toml": ("x." * 5000 + "y = 1\n", "nestet dypere enn"),
    "lenker.toml": ('extends = "baseline.toml"\n[travel]\nlinks = [{a = 1}]\n', "travel.links[0]"),
    "usikker.toml": ('extends = "baseline.toml"\n[uncertainty]\nyears = 0\n', "usikker.toml: uncertainty.years"),
    "..toml": ('extends = "baseline.toml"\n', "mappenavn"),
    "stor.toml": ('extends = "baseline.toml"\n[municipalities.5620]\npopulation = 9223372036854775807\n',
                  "municipalities.5620.population"),
}


def test_bad_uploads_show_located_errors_and_no_traceback(tmp_path):
    for url, _ in serve("views", "newcomer_rows"):  # only called on a click that this test does not make
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1800}, locale="nb-NO")
            page.goto(url)
            page.get_by_text("egen fil (TOML)").click()
            uploader = page.locator('[data-testid="stFileUploader"]', has_text="Last opp scenariofil")
            uploader.wait_for(timeout=30_000)
            for name, (text, expected) in BAD_UPLOADS.items():
                path = tmp_path / name
                path.write_text(text, encoding="utf-8")
                uploader.locator('input[type="file"]').set_input_files(str(path))
                deadline = time.monotonic() + 30
                while expected not in page.inner_text("body"):  # may be shown in the uncertainty tab
                    assert time.monotonic() < deadline, f"{name}: {expected!r} not shown"
                    tab = page.get_by_role("tab", name="Usikkerhet og alternativer")
                    if tab.count():
                        tab.click()
                    page.wait_for_timeout(500)
                body = page.inner_text("body")
                assert "Traceback" not in body and page.locator('[data-testid="stException"]').count() == 0, name
            browser.close()


def test_an_error_outside_the_tabs_shows_an_incident_id_and_no_details():
    for url, _ in serve("editing", "settings_of"):
        text = page_text(url, '[data-testid="stAlert"]', "hendelse")
        assert_no_internals(text)
        assert "hendelse" in text and "Ask Google" not in text
