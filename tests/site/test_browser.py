"""The built site in a real browser (Debian's Chromium driven by Playwright), as readers meet it.

The site is served from localhost. Each page gets a reader's own first visit: a fresh browser
context with no request routing, so that whatever the browser requests by itself (a favicon)
is seen, in dark mode. There the whole axe-core audit runs; then the reader's system switches
to light mode (the theme follows it, as it does for a reader), the page is checked to show the
same elements in the same layout, and axe's colour rules run again. One test per page, so that
both pytest-xdist workers share the pages. Separately, one routed context walks every page in
light mode and blocks and reports any request to another origin.

Highlighted code is most of axe's work (its contrast check looks at every token), and how a
token looks depends only on its kind of block and its token class, not on the page. So code
blocks are audited, in both modes, on the few pages of ``CODE_AUDITED``, and a test checks that
those pages hold every kind of block and token class that any page of the site shows; every
other part of every page is audited everywhere.
Screenshots are written to ``test-artifacts/screenshots/`` for a person to look at.
"""

import functools
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import axe_playwright_python
import pytest
from filelock import FileLock
from playwright.sync_api import sync_playwright

from ..conftest import ROOT, once_per_run, run_alone
from .conftest import EXAMPLES

CHROMIUM = "/usr/bin/chromium"  # Debian's package; Playwright never downloads a browser here
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
HEAVIEST_PAGE_BYTES = 1.5e6
AXE_SCRIPT = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
# preload=False: axe's own stylesheet fetches mis-resolve the theme's CSS @import
AXE_OPTIONS = {"resultTypes": ["violations"], "preload": False}
# The rules whose outcome depends on colours (axe's "cat.color" rules that run by default).
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
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
    """A browser context that records console errors, failed requests, responses of 400 or
    above and requests to another origin. Routed, it also blocks those requests (only those:
    the site's own requests are not intercepted, so the browser handles them itself)."""

    def __init__(self, browser, site_url, routed=True, **context_options):
        self.origin = urlparse(site_url).netloc
        self.context = browser.new_context(**context_options)
        self.problems = []
        if routed:
            other_origins = re.compile(rf"^(?!{re.escape(site_url)})")
            self.context.route(other_origins, self._block)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("request", self._request)
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url}"))
        self.page.on("response", self._response)

    def _block(self, route):
        route.abort()

    def _request(self, request):
        if urlparse(request.url).netloc not in ("", self.origin):
            self.problems.append(f"request to another origin: {request.url}")

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


def inject_axe(page):
    """axe-core in ``page``, injected once however many audits run there."""
    if not page.evaluate("typeof axe === 'object'"):
        page.evaluate(AXE_SCRIPT)


def audit(page, relative, rules=None) -> list[str]:
    """Serious and critical axe-core findings on ``page``, by every rule or by ``rules``
    (code blocks: see the docstring)."""
    inject_axe(page)
    context = None if relative in CODE_AUDITED else {"exclude": [["div.highlight"]]}
    options = AXE_OPTIONS | ({"runOnly": {"type": "rule", "values": rules}} if rules else {})
    result = page.evaluate("([c, o]) => axe.run(c || document, o)", [context, options])
    findings = []
    for violation in result["violations"]:
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


# What the reader sees, as one number: the visible elements (by position in the document and
# tag) and the page's size. Equal in both modes: the same content, laid out the same way.
VISIBLE_LAYOUT = """() => {
    let hash = 0, index = 0;
    for (const element of document.body.querySelectorAll("*")) {
        index++;
        if (!element.checkVisibility()) continue;
        for (const ch of index + element.tagName) hash = (hash * 31 + ch.charCodeAt(0)) | 0;
    }
    const root = document.documentElement;
    return [hash, root.scrollWidth, root.scrollHeight];
}"""


@pytest.mark.parametrize("routed", [True, False], ids=["routed", "unrouted"])
def test_a_visit_reports_a_request_to_another_origin(site_url, browser, routed):
    visit = Visit(browser, site_url, routed=routed)
    visit.goto(site_url + "index.html", wait_until="load")
    visit.page.evaluate("fetch('http://cdn.invalid/theme.css').catch(() => null)")
    visit.page.wait_for_load_state("networkidle")
    problems = visit.problems
    visit.close()
    assert "request to another origin: http://cdn.invalid/theme.css" in problems, problems


# The theme fades some colours between modes (CSS transitions): audit once they have ended.
LIGHT_IN_FULL = "document.getAnimations().every(a => !(a instanceof CSSTransition))"


def test_axe_colour_rules_are_every_colour_rule_axe_runs(site_url, browser):
    visit = Visit(browser, site_url)
    page = visit.goto(site_url + "index.html", wait_until="load")
    inject_axe(page)
    colour_rules = page.evaluate(
        "axe._audit.rules.filter(r => r.enabled && r.tags.includes('cat.color')).map(r => r.id)"
    )
    visit.close()
    assert sorted(colour_rules) == sorted(COLOUR_RULES), colour_rules


def test_every_page_routed_in_light_mode_requests_nothing_from_another_origin(
    built_site, site_url, browser
):
    """One routed context walks the site (each page's own load failures are the first
    visit's to report; here, leaving a page may cut its last requests short)."""
    visit = Visit(browser, site_url, color_scheme="light")
    for relative in PAGES:
        page = visit.goto(site_url + relative, wait_until="load")
        check_theme(page, relative, "light")
    elsewhere = [problem for problem in visit.problems if "another origin" in problem]
    visit.close()
    assert not elsewhere, "\n".join(elsewhere)


@pytest.mark.parametrize("relative", sorted(PAGES, key=lambda page: page not in CODE_AUDITED))
def test_page_as_a_readers_first_visit_in_dark_then_light_mode(
    built_site, site_url, browser, weight_report, relative
):
    reader = Visit(browser, site_url, routed=False, color_scheme="dark")
    page = reader.goto(site_url + relative, wait_until="load")
    check_theme(page, relative, "dark")
    findings = audit(page, relative)
    page.wait_for_load_state("networkidle")  # whatever the page requests after load, too
    page.evaluate("document.fonts.ready")
    weight = page.evaluate(PAGE_BYTES)  # a first visit: nothing was cached, all bytes count
    dark = page.evaluate(VISIBLE_LAYOUT)

    page.emulate_media(color_scheme="light")  # the reader's system switches to light mode
    page.wait_for_function("document.documentElement.dataset.theme === 'light'")
    page.wait_for_function(LIGHT_IN_FULL)
    light = page.evaluate(VISIBLE_LAYOUT)
    findings += audit(page, relative, rules=COLOUR_RULES)
    findings += [f"{relative} (first visit): {problem}" for problem in reader.problems]
    reader.close()

    with FileLock(f"{weight_report}.lock"):
        with weight_report.open("a") as report:
            report.write(f"{weight / 1e6:8.3f} MB  {relative}\n")
    assert not findings, "\n".join(findings)
    assert dark == light, f"{relative} shows other elements or layout in light mode than in dark"
    assert weight < HEAVIEST_PAGE_BYTES, f"{relative} loads {weight} bytes (target: 1.5 MB)"


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
