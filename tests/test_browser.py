"""The query page in a real headless Chromium (Debian's), driven by Playwright.

Skipped when Playwright or a Chromium binary is missing (CI installs chromium via apt).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser"))
                 if p), None)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-dev-shm-usage"]

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="no chromium installed")]


@pytest.fixture(scope="module")
def page() -> Iterator[object]:
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        pg = browser.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        pg.errors = errors  # type: ignore[attr-defined]
        yield pg
        browser.close()


def test_query_page_runs_an_example_and_shows_rows(page, live_server: str) -> None:
    requests_seen: list[str] = []
    page.on("request", lambda r: requests_seen.append(r.url))
    page.goto(live_server + "/")
    page.wait_for_selector(".CodeMirror", timeout=15_000)
    editor = page.evaluate("window.kgYasgui.getTab().getYasqe().getValue()")
    assert "PREFIX kgo: <https://w3id.org/kg-conflict/ontology#>" in editor
    page.get_by_role("button", name="Events by type").click()
    rows = page.locator(".yasr table tbody tr")
    rows.first.wait_for(timeout=20_000)
    assert rows.count() >= 3
    text = page.locator(".yasr table").inner_text()
    assert "ArmedClash" in text or "Armed clash" in text or "events" in text
    # The example's query reached the editor unescaped (no &lt; from HTML escaping).
    value = page.evaluate("window.kgYasgui.getTab().getYasqe().getValue()")
    assert "<https://w3id.org/kg-conflict/ontology#>" in value and "&lt;" not in value
    assert not page.errors, page.errors  # type: ignore[attr-defined]
    # Everything the page loaded came from our server: no CDN.
    assert all(u.startswith(live_server) or u.startswith("data:") for u in requests_seen), \
        requests_seen


def test_plain_form_button_loads_the_readable_query(page, live_server: str) -> None:
    """A tuned example's "plain form" button loads queries/plain/'s text and runs it."""
    from kg.queries import load_examples

    tuned = next(ex for ex in load_examples() if ex.name.startswith("01-"))
    assert tuned.plain
    page.goto(live_server + "/")
    page.wait_for_selector(".CodeMirror", timeout=15_000)
    page.locator(f'button.plain[data-name="{tuned.name}"]').click()
    rows = page.locator(".yasr table tbody tr")
    rows.first.wait_for(timeout=20_000)
    assert rows.count() >= 3
    value = page.evaluate("window.kgYasgui.getTab().getYasqe().getValue()")
    assert value == tuned.plain
    assert not page.errors, page.errors  # type: ignore[attr-defined]


def test_resource_page_links_stay_on_server(page, live_server: str) -> None:
    page.goto(live_server + "/")
    import requests

    q = ("SELECT ?e WHERE { ?e <http://www.w3.org/2003/01/geo/wgs84_pos#lat> ?lat } LIMIT 1")
    r = requests.get(live_server + "/sparql", params={"query": q}, timeout=10).json()
    iri = r["results"]["bindings"][0]["e"]["value"]
    page.goto(live_server + "/id/" + iri.split("/id/", 1)[1])
    page.wait_for_selector("#outgoing")
    hrefs = page.eval_on_selector_all("#outgoing a", "els => els.map(e => e.href)")
    assert any(h.startswith(live_server + "/id/") or h.startswith(live_server + "/ontology")
               for h in hrefs)
    assert page.locator("#map").count() == 1
