"""Real-browser smoke test: ``streamlit run app.py`` in headless Chromium driven by Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.browser
if os.environ.get("VERTSKOMMUNE_REQUIRE_BROWSER") and not CHROMIUM.exists():
    raise RuntimeError("VERTSKOMMUNE_REQUIRE_BROWSER is set but /usr/bin/chromium is missing")
sync_api = pytest.importorskip("playwright.sync_api")
if not CHROMIUM.exists():
    pytest.skip("headless Chromium not installed (/usr/bin/chromium)", allow_module_level=True)

BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"]
HOSTS_TABLE = '[data-testid="stDataFrame"] table'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen) -> None:
    """Wait (at most a minute) until the streamlit server at ``url`` answers its health check."""
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                err = proc.stderr.read()
                raise RuntimeError(f"streamlit did not start: {(err.decode() if isinstance(err, bytes) else err)[-2000:]}") from None
            time.sleep(0.3)


@pytest.fixture(scope="module")
def app_url():
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless=true",
         f"--server.port={port}", "--server.address=127.0.0.1", "--browser.gatherUsageStats=false"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def page(app_url):
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1800}, locale="nb-NO")
        page.goto(app_url)
        page.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
        yield page
        browser.close()


def test_page_loads_and_a_member_toggle_changes_the_host_table(page, tmp_path):
    page.wait_for_selector(HOSTS_TABLE, state="attached", timeout=30_000)
    before = page.locator(HOSTS_TABLE).first.text_content()
    assert "Porsanger" in before and "Måsøy" not in before
    assert page.locator('[data-testid="stException"]').count() == 0

    page.get_by_text("Måsøy blir med").click()
    page.wait_for_function(
        "sel => { const t = document.querySelector(sel); return t && t.textContent.includes('Måsøy'); }",
        arg=HOSTS_TABLE, timeout=60_000,
    )
    page.wait_for_timeout(500)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    page.screenshot(path=str(tmp_path / "app.png"), full_page=True)
    assert (tmp_path / "app.png").stat().st_size > 10_000


def test_report_download_is_a_deck_of_the_shown_scenario(page, tmp_path):
    from pptx import Presentation

    page.get_by_role("tab", name="Last ned").click()
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Lysbilder (PowerPoint)").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    deck = Presentation(str(path))
    texts = [shape.text_frame.text for shape in deck.slides[0].shapes if shape.has_text_frame]
    assert any("Grunnscenario" in text for text in texts)
    assert len(deck.slides) >= 5
