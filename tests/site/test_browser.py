"""The built site in a real browser (Debian's Chromium driven by Playwright), as readers meet it.

The site is served from localhost. Every page is visited twice, each time in a fresh browser
context: once routed and in light mode, where any request to another origin is blocked and
reported (routing turns the HTTP cache off, so the same visit weighs each page in full), and
once as a reader's own first visit, in dark mode with no routing, so that requests the browser
makes by itself (a favicon) are seen as well. Both visits run the axe-core audit. One test per
page, so that both pytest-xdist workers share the pages.

Highlighted code is most of axe's work (its contrast check looks at every token), and how a
token looks depends only on its kind of block and its token class, not on the page. So code
blocks are audited, in both modes, on the few pages of ``CODE_AUDITED``, and a test checks that
those pages hold every kind of block and token class that any page of the site shows; every
other part of every page is audited everywhere.
Screenshots are written to ``test-artifacts/screenshots/`` for a person to look at.
"""

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from filelock import FileLock
from playwright.sync_api import sync_playwright

from ..conftest import ROOT, once_per_run, run_alone
from .conftest import EXAMPLES

CHROMIUM = "/usr/bin/chromium"  # Debian's package; Playwright never downloads a browser here
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
HEAVIEST_PAGE_BYTES = 1.5e6
ERROR_INDEX = "errors.html"
AXE_OPTIONS = {"resultTypes": ["violations"], "preload": False}
# Between them, every kind of code block and every token class the site shows (tested below).
CODE_AUDITED = [
    "errors.html",
    "guide/compilers.html",
    "summary.html",
    "auto_examples/expert_tools/plot_custom_derivative_rules.html",
]
CODE_CONTAINERS = ["cell_input", "cell_output", "sphx-glr-script-out", "live-table-source"]


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

    def goto(self, url, wait_until="networkidle"):
        self.page.goto(url, wait_until=wait_until)
        return self.page

    def close(self):
        self.context.close()


def source_pages() -> list[str]:
    """The pages the sources make: each Markdown page, each gallery section's index and
    example, the gallery's index, and Sphinx's index and search pages."""
    docs = ROOT / "docs"
    pages = [
        str(path.relative_to(docs).with_suffix(".html"))
        for path in docs.rglob("*.md")
        if not path.relative_to(docs).parts[0].startswith(("_", "auto_examples"))
    ]
    sections = {script.parent.name for script in EXAMPLES}
    pages += [f"auto_examples/{section}/index.html" for section in sections]
    pages += [f"auto_examples/{s.parent.name}/{s.stem}.html" for s in EXAMPLES]
    return sorted([*pages, "auto_examples/index.html", "genindex.html", "search.html"])


PAGES = source_pages()


def test_the_browser_tests_visit_every_page_of_the_site(built_site):
    built = sorted(str(p.relative_to(built_site.html)) for p in built_site.pages())
    assert built == PAGES, f"built, not visited: {sorted(set(built) - set(PAGES))}; " + (
        f"visited, not built: {sorted(set(PAGES) - set(built))}"
    )


def code_styles(soup) -> set[tuple[str, str]]:
    """Each kind of highlighted block on a page (its lexer and the block holding it: a notebook
    cell's input or output, a gallery script's output...), and each token class by lexer."""
    styles = set()
    for block in soup.select("div.highlight"):
        lexer = next((c.lower() for c in block.parent.get("class", []) if "highlight-" in c), "")
        container = block.find_parent(class_=CODE_CONTAINERS)
        styles.add((lexer, container["class"][0] if container else "-"))
        styles |= {
            (lexer, token) for span in block.select("span[class]") for token in span["class"]
        }
    return styles


def test_the_code_audited_pages_show_every_kind_of_code_block_and_token(built_site):
    audited = set().union(*(code_styles(built_site.page(page)) for page in CODE_AUDITED))
    unaudited = {}
    for page in PAGES:
        if missing := code_styles(built_site.page(page)) - audited:
            unaudited[page] = sorted(missing)
    assert not unaudited, (
        f"code styles no audited page shows (add a page to CODE_AUDITED): {unaudited}"
    )


def audit(page, relative) -> list[str]:
    """Serious and critical axe-core findings on ``page`` (code blocks: see the docstring)."""
    # preload=False: axe's own stylesheet fetches mis-resolve the theme's CSS @import
    context = None if relative in CODE_AUDITED else {"exclude": [["div.highlight"]]}
    findings = []
    for violation in Axe().run(page, context, AXE_OPTIONS).response["violations"]:
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


@pytest.fixture(scope="session")
def weight_report(tmp_path_factory, worker_id) -> Path:
    """``test-artifacts/page-weights.txt``, emptied once per run; each page adds its line."""
    report = ARTIFACTS / "page-weights.txt"

    def start_report(_folder):
        ARTIFACTS.mkdir(exist_ok=True)
        report.write_text("")
        return {}

    once_per_run(tmp_path_factory, worker_id, "page-weights", start_report)
    return report


def visit_and_audit(visit, url, relative, color_scheme) -> list[str]:
    page = visit.goto(url, wait_until="load")
    check_theme(page, relative, color_scheme)
    findings = audit(page, relative)
    page.wait_for_load_state("networkidle")  # whatever the page requests after load, too
    return findings


@pytest.mark.parametrize("relative", sorted(PAGES, key=lambda page: page not in CODE_AUDITED))
def test_page_in_light_routed_and_dark_as_a_readers_first_visit(
    built_site, site_url, browser, weight_report, relative
):
    routed = Visit(browser, site_url, color_scheme="light")
    findings = visit_and_audit(routed, site_url + relative, relative, "light")
    routed.page.evaluate("document.fonts.ready")
    weight = routed.page.evaluate(PAGE_BYTES)  # routed: no HTTP cache, all bytes
    findings += [f"{relative} (light, routed): {problem}" for problem in routed.problems]
    routed.close()

    reader = Visit(browser, site_url, routed=False, color_scheme="dark")
    findings += visit_and_audit(reader, site_url + relative, relative, "dark")
    findings += [f"{relative} (dark, first visit): {problem}" for problem in reader.problems]
    reader.close()

    with FileLock(f"{weight_report}.lock"):
        with weight_report.open("a") as report:
            report.write(f"{weight / 1e6:8.3f} MB  {relative}\n")
    assert not findings, "\n".join(findings)
    assert weight < HEAVIEST_PAGE_BYTES, f"{relative} loads {weight} bytes (target: 1.5 MB)"


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
