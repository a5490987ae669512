"""The built site in a real browser (Debian's Chromium driven by Playwright), as readers meet it.

The site is served from localhost. Every page is visited twice: once routed, where any request
to another origin is blocked and reported (routing turns the HTTP cache off, so the same visit
weighs each page in full), and once as a reader's own first visit: a fresh browser context, no
routing, so that requests the browser makes by itself (a favicon) are seen as well.
Screenshots are written to ``test-artifacts/screenshots/`` for a person to look at.
"""

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from ..conftest import ROOT, run_alone

CHROMIUM = "/usr/bin/chromium"  # Debian's package; Playwright never downloads a browser here
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
HEAVIEST_PAGE_BYTES = 1.5e6
ERROR_INDEX = "errors.html"
AXE_OPTIONS = {"resultTypes": ["violations"], "preload": False}


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site_url(built_site):
    handler = functools.partial(QuietHandler, directory=str(built_site.html))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    assert Path(CHROMIUM).exists(), "install Debian's chromium: apt-get install -y chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visit:
    """A browser context that records console errors, failed requests and responses of 400 or
    above; routed, it also blocks and records requests to another origin."""

    def __init__(self, browser, site_url, routed=True, **context_options):
        self.origin = urlparse(site_url).netloc
        self.context = browser.new_context(**context_options)
        self.problems = []
        if routed:
            self.context.route("**/*", self._only_same_origin)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url}"))
        self.page.on("response", self._response)

    def _only_same_origin(self, route):
        if urlparse(route.request.url).netloc in ("", self.origin):
            route.continue_()
        else:
            self.problems.append(f"request to another origin: {route.request.url}")
            route.abort()

    def _response(self, response):
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def _console(self, message):
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")

    def goto(self, url):
        self.page.goto(url, wait_until="networkidle")
        return self.page

    def close(self):
        self.context.close()


def site_pages(built_site):
    return [str(p.relative_to(built_site.html)) for p in built_site.pages()]


def audit(page, relative) -> list[str]:
    """Serious and critical axe-core findings on ``page``."""
    # preload=False: axe's own stylesheet fetches mis-resolve the theme's CSS @import
    findings = []
    for violation in Axe().run(page, options=AXE_OPTIONS).response["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = [node["target"] for node in violation["nodes"][:3]]
            findings.append(f"{relative}: {violation['id']} ({violation['impact']}) {targets}")
    return findings


def check_theme(page, relative, color_scheme):
    theme = page.evaluate("document.documentElement.dataset.theme")
    assert theme == color_scheme, f"{relative}: theme {theme!r} in {color_scheme} mode"


PAGE_BYTES = """() => performance.getEntriesByType("navigation")
    .concat(performance.getEntriesByType("resource"))
    .reduce((total, entry) => total + entry.decodedBodySize, 0)"""


def test_every_page_routed_light_loads_only_its_origin_passes_axe_and_is_light(
    built_site, site_url, browser
):
    visit = Visit(browser, site_url, color_scheme="light")
    findings, weights = [], {}
    for relative in site_pages(built_site):
        page = visit.goto(site_url + relative)
        check_theme(page, relative, "light")
        findings += audit(page, relative)
        page.evaluate("document.fonts.ready")
        weights[relative] = page.evaluate(PAGE_BYTES)  # routed: no HTTP cache, all bytes
        findings += [f"{relative}: {problem}" for problem in visit.problems]
        visit.problems.clear()
    visit.close()
    ARTIFACTS.mkdir(exist_ok=True)
    report = "\n".join(
        f"{size / 1e6:8.3f} MB  {relative}"
        for relative, size in sorted(weights.items(), key=lambda kv: -kv[1])
    )
    (ARTIFACTS / "page-weights.txt").write_text(report + "\n")
    assert not findings, "\n".join(findings)
    heaviest = max(weights, key=weights.get)
    assert weights[heaviest] < HEAVIEST_PAGE_BYTES, f"{heaviest} loads {weights[heaviest]} bytes"


def test_every_page_as_a_readers_first_visit_in_dark_mode(built_site, site_url, browser):
    """No routing and a fresh context per page: what a reader's own browser does and logs."""
    findings = []
    for relative in site_pages(built_site):
        visit = Visit(browser, site_url, routed=False, color_scheme="dark")
        page = visit.goto(site_url + relative)
        check_theme(page, relative, "dark")
        findings += audit(page, relative)
        findings += [f"{relative}: {problem}" for problem in visit.problems]
        visit.close()
    assert not findings, "\n".join(findings)


@pytest.mark.parametrize(
    "pasted_message",
    [
        "TracerBoolConversionError",
        "ConcretizationTypeError",
        "does not require grad and does not have a grad_fn",
        "modified by an inplace operation",
        "Trying to backward through the graph a second time",
        "Reverse-mode differentiation does not work for lax.while_loop",
    ],
)
def test_search_finds_the_page_explaining_a_pasted_error(site_url, browser, pasted_message):
    visit = Visit(browser, site_url)
    page = visit.goto(f"{site_url}search.html?q={pasted_message}")
    page.wait_for_selector("#search-results ul.search li", timeout=20_000)
    hits = page.eval_on_selector_all("#search-results ul.search li a", "as => as.map(a => a.href)")
    visit.close()
    assert any(ERROR_INDEX in urlparse(hit).path for hit in hits), hits


JAX_TAB_SELECTED = """() => [...document.querySelectorAll('label.sd-tab-label[data-sync-id="jax"]')]
    .every(label => label.control.checked)"""


def test_tab_choice_persists_across_pages_and_reloads(site_url, browser):
    visit = Visit(browser, site_url)
    page = visit.goto(site_url + "index.html")
    assert not page.evaluate(JAX_TAB_SELECTED), "PyTorch is the default tab"
    page.locator('label.sd-tab-label[data-sync-id="jax"]').first.click()
    for relative in ["guide/control_flow.html", "guide/best_practices.html"]:
        page = visit.goto(site_url + relative)
        assert page.evaluate(JAX_TAB_SELECTED), f"{relative} does not show the JAX tabs"
        page.reload(wait_until="networkidle")
        assert page.evaluate(JAX_TAB_SELECTED), f"{relative} forgot the choice on reload"
    problems = visit.problems
    visit.close()
    assert not problems, problems


@pytest.mark.parametrize("relative", ["index.html", "guide/why_it_works.html"])
def test_copy_button_gives_code_that_runs(site_url, browser, relative, tmp_path):
    visit = Visit(browser, site_url, permissions=["clipboard-read", "clipboard-write"])
    page = visit.goto(site_url + relative)
    block = page.locator("div.highlight:visible").first
    block.hover()
    block.locator("xpath=..").locator("button.copybtn").first.click()
    copied = page.evaluate("navigator.clipboard.readText()")
    visit.close()
    assert copied.strip() and ">>>" not in copied and "..." not in copied.split("\n")[0]
    result = run_alone(["-c", copied], tmp_path)
    assert result.returncode == 0, f"copied from {relative}:\n{copied}\n{result.stderr}"


def test_screenshots_at_desktop_and_phone_widths(site_url, browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pages = {"home": "index.html", "example": "auto_examples/basics/plot_starting_examples.html"}
    for width_name, viewport in {"desktop": (1280, 800), "phone": (390, 844)}.items():
        visit = Visit(browser, site_url, viewport={"width": viewport[0], "height": viewport[1]})
        for name, relative in pages.items():
            page = visit.goto(site_url + relative)
            path = SCREENSHOTS / f"{name}-{width_name}.png"
            page.screenshot(path=path, full_page=True)
            assert path.stat().st_size > 10_000
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"{relative} scrolls sideways by {overflow}px at {width_name}"
        visit.close()
