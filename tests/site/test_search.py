"""The site's search, as readers use it: pasted error messages and plain questions, in Chromium.

The benchmark's queries live in ``docs/_ext/search_bench.py``; the search itself in
``docs/_ext/search_index.py`` (the index, built at the end of the build) and
``docs/_static/search_ranking.js`` (the ranking, on the theme's search page).

Chromium runs in a thread of its own here: ``test_browser.py``'s session-wide browser may be
running in the same pytest-xdist worker, and Playwright's sync API allows one per thread.
"""

import queue
import re
import threading
from concurrent.futures import Future
from urllib.parse import urlparse

import pytest
import search_bench
from playwright.sync_api import sync_playwright
from search_index import INDEX_FILE, tokens

from .test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, Visit, site_url  # noqa: F401

ERRORS_PAGE = "errors.html"
MIN_TOP3_RATE = 0.95
MAX_INDEX_BYTES = 400_000
# A printed exception: its class (with any module path) and, after the colon, its message.
EXCEPTION = re.compile(
    r"\b((?:[A-Za-z_]\w*\.)*(?:[A-Z]\w*(?:Error|Exception)|Unsupported)):(?:\s+(.*))?$"
)
# Errors the site's own code raises, not a framework: no reader will ever paste them.
OWN_MESSAGES = {"cannot branch on": "the toy tracer of plot_tracing_vs_taping raises it"}
HEADLINE_CHARS = 60
SPACE = re.compile(r"\s+")


def flat(text: str) -> str:
    return SPACE.sub(" ", text).strip()


def output_lines(pre) -> list[str]:
    """The printed lines of a ``<pre>``: every line of an executed output, and the lines of a
    doctest block that follow its ``>>>`` and ``...`` prompts."""
    lines = pre.get_text().splitlines()
    if pre.find_parent(class_=["sphx-glr-script-out", "cell_output"]):
        return lines
    if pre.select_one("span.gp"):
        return [line for line in lines if not line.startswith((">>>", "..."))]
    return []  # source code


def shown_errors(built_site) -> dict[tuple[str, str], str]:
    """Every exception any page prints: (class, message) -> the first page printing it."""
    found = {}
    for path in built_site.pages():
        relative = str(path.relative_to(built_site.html))
        article = built_site.page(relative).select_one("article")
        for pre in article.select("pre") if article else []:
            lines = output_lines(pre)
            for number, line in enumerate(lines):
                match = EXCEPTION.search(line)
                if not match:
                    continue
                name, message = match.group(1).rpartition(".")[2], (match.group(2) or "").strip()
                if not message:  # the message starts on the next line
                    message = next((n.strip() for n in lines[number + 1 :] if n.strip()), "")
                if message in ("''", '""'):
                    message = ""
                if any(phrase in message for phrase in OWN_MESSAGES):
                    continue
                found.setdefault((name, message), relative)
    return found


class BrowserThread:
    """Chromium in a thread of its own; ``run(work)`` calls ``work(browser)`` there."""

    def __init__(self):
        self.jobs = queue.Queue()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                while (job := self.jobs.get()) is not None:
                    work, done = job
                    try:
                        done.set_result(work(browser))
                    except BaseException as exc:  # handed to the test, in the main thread
                        done.set_exception(exc)
                browser.close()
        except BaseException as exc:  # Chromium did not start: every job fails with this
            while (job := self.jobs.get()) is not None:
                job[1].set_exception(exc)

    def run(self, work):
        done = Future()
        self.jobs.put((work, done))
        return done.result(timeout=600)

    def close(self):
        self.jobs.put(None)
        self.thread.join(timeout=60)


@pytest.fixture(scope="module")
def chromium():
    browser_thread = BrowserThread()
    yield browser_thread
    browser_thread.close()


def on_page(chromium, site_url, work):  # noqa: F811
    """``work(page)`` on a routed page (other origins blocked); returns its result and the
    page's problems (console errors, failed requests, responses of 400 or above)."""

    def visit_and_work(browser):
        visit = Visit(browser, site_url)
        try:
            return work(visit.page), list(visit.problems)
        finally:
            visit.close()

    return chromium.run(visit_and_work)


def test_benchmark_finds_the_answer_in_the_top_three(site_url, chromium):  # noqa: F811
    outcomes, problems = on_page(chromium, site_url, lambda page: search_bench.run(page, site_url))
    report = f"search benchmark, {len(outcomes)} queries\n{search_bench.report(outcomes)}\n"
    print("\n" + report)  # shown with -s (without xdist); also kept in test-artifacts/
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "search-benchmark.txt").write_text(report)
    assert not problems, problems
    assert len(outcomes) == len(search_bench.QUERIES), "the benchmark skipped queries"
    assert search_bench.rate(outcomes, search_bench.TOP) >= MIN_TOP3_RATE, report


def test_every_error_shown_on_the_site_has_an_error_index_section_search_finds(
    built_site,
    site_url,  # noqa: F811
    chromium,
):
    errors = shown_errors(built_site)
    assert len(errors) >= 20, (  # the site prints far more: fewer means the scan is broken
        f"only {len(errors)} printed errors found, so the scan of the pages missed some: "
        f"{sorted(errors)}"
    )
    pasted = {key: f"{key[0]}: {key[1]}" if key[1] else key[0] for key in errors}
    results, problems = on_page(
        chromium,
        site_url,
        lambda page: {
            key: search_bench.search(page, site_url, text) for key, text in pasted.items()
        },
    )
    assert not problems, problems
    index_page = built_site.page(ERRORS_PAGE)
    failures = []
    for key, links in sorted(results.items()):
        first = urlparse(links[0]) if links else None
        if first is None or not first.path.endswith("/" + ERRORS_PAGE) or not first.fragment:
            failures.append(f"{pasted[key]!r} (shown on {errors[key]}): first result {links[:1]}")
            continue
        section = index_page.find(id=first.fragment)
        headline = flat(key[1])[:HEADLINE_CHARS] or key[0]
        if section is None or headline not in flat(section.get_text(" ")):
            failures.append(f"{pasted[key]!r} (shown on {errors[key]}): {first.fragment} lacks it")
    assert not failures, "\n".join(failures)


def test_the_page_tokenizes_queries_as_the_build_tokenized_pages(
    built_site,
    site_url,  # noqa: F811
    chromium,
):
    """The ranking compares the page's words with the index's: both sides must cut text alike."""
    samples = [query.text for query in search_bench.QUERIES]
    samples.append(built_site.page(ERRORS_PAGE).select_one("article").get_text(" "))

    def tokenize(page):
        page.goto(site_url + "search.html", wait_until="load")
        return page.evaluate("texts => texts.map(SiteSearch.tokens)", samples)

    in_browser, problems = on_page(chromium, site_url, tokenize)
    assert not problems, problems
    for text, tokenized in zip(samples, in_browser, strict=True):
        assert tokenized == tokens(text), text[:200]


def use_ctrl_k(page, site_url):  # noqa: F811
    """What a reader does: Ctrl+K on a page, paste a message, Enter; what the results show."""
    page.goto(site_url + "guide/quickstart.html", wait_until="networkidle")
    page.keyboard.press("Control+k")
    field = page.locator("#pst-search-dialog input[name=q]")
    field.wait_for(state="visible")
    focused = field.evaluate("element => element === document.activeElement")
    field.fill("RuntimeError: Can't call numpy() on Tensor that requires grad.")
    with page.expect_navigation():
        field.press("Enter")
    page.wait_for_function(search_bench.FINISHED)
    first = page.locator("#search-results ul.search li").first
    return {
        "focused": focused,
        "href": first.locator("a").get_attribute("href"),
        "title": first.locator("a").inner_text(),
        "excerpt": first.locator("p.context").inner_text(),
        "loaded": page.evaluate(
            """() => performance.getEntriesByType('resource')
                .map(entry => [entry.name, entry.decodedBodySize])"""
        ),
    }


def test_the_theme_search_box_and_ctrl_k_show_the_answering_section(
    site_url,  # noqa: F811
    chromium,
):
    shown, problems = on_page(chromium, site_url, lambda page: use_ctrl_k(page, site_url))
    assert not problems, problems
    assert shown["focused"], "Ctrl+K did not focus the search field"
    assert shown["href"] == f"{ERRORS_PAGE}#error-numpy-requires-grad", shown["href"]
    assert "›" in shown["title"] and "numpy()" in shown["title"], shown["title"]
    assert shown["excerpt"].strip(), "the result shows no excerpt of its section"
    search_bytes = {
        name: size for name, size in shown["loaded"] if re.search(r"search|language_data", name)
    }
    print(f"\nbytes a search loads: {sum(search_bytes.values()):,}", search_bytes)
    index_bytes = sum(size for name, size in search_bytes.items() if name.endswith(INDEX_FILE))
    assert 0 < index_bytes < MAX_INDEX_BYTES, search_bytes
