"""Run the ``>>>`` examples of prose pages while the page is read, like a notebook cell.

A code block whose first line starts with ``>>>`` is a doctest. The blocks of one page share
a namespace, top to bottom, so a page reads (and a reader copies) like a session. A mismatch
or an exception is a build warning at the block's source line; under ``-W`` it fails the build.
Pages are re-read, and so re-checked, when they change or when the installed versions change
(see ``build_info``). The tests call :func:`run_doctest_blocks` on the Markdown sources too.
"""

import doctest
import time

from claims_record import note_claim, note_run
from docutils import nodes
from recheck import report_failed_check
from sphinx.util import logging

logger = logging.getLogger(__name__)

OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
GALLERY_PREFIX = "auto_examples/"  # gallery pages are checked by sphinx-gallery itself


class _CollectingRunner(doctest.DocTestRunner):
    """Collects failure reports, and every example's outcome: ``(example, got, holds)``."""

    def __init__(self):
        super().__init__(optionflags=OPTIONS, verbose=False)
        self.reports, self.outcomes = [], []

    def report_success(self, out, test, example, got):
        self.outcomes.append((example, got, True))

    def report_failure(self, out, test, example, got):
        self.reports.append(f"{example.source.strip()}\nexpected:\n{example.want}got:\n{got}")
        self.outcomes.append((example, got, False))

    def report_unexpected_exception(self, out, test, example, exc_info):
        kind, value, _ = exc_info
        self.reports.append(f"{example.source.strip()}\nraised {kind.__name__}: {value}")
        self.outcomes.append((example, f"raised {kind.__name__}: {value}", False))


def is_doctest(code):
    return code.lstrip().startswith(">>>")


def run_doctest_blocks(blocks, name, outcomes=None):
    """Run code blocks in one shared namespace; yield ``(block index, report)`` failures.
    Every example's ``(example, got, holds)`` is appended to ``outcomes`` if given."""
    parser, runner, namespace = doctest.DocTestParser(), _CollectingRunner(), {"__name__": name}
    for index, code in enumerate(blocks):
        test = parser.get_doctest(code, namespace, name, name, 0)
        runner.run(test, clear_globs=False, out=lambda _text: None)
        namespace = test.globs  # DocTest copies its globals: carry them to the next block
        for report in runner.reports:
            yield index, report
        runner.reports.clear()
        if outcomes is not None:
            outcomes.extend(runner.outcomes)
        runner.outcomes.clear()


def note_doctest_claims(env, docname, outcomes):
    """One claim per example, named by its first line (and its rank among equal first lines)."""
    seen = {}
    for example, got, holds in outcomes:
        first = example.source.strip().splitlines()[0]
        seen[first] = seen.get(first, 0) + 1
        claim_id = f"{docname}: >>> {first}" + (f" (#{seen[first]})" if seen[first] > 1 else "")
        want = example.want.strip() or "(no output)"
        note_claim(env, docname, "doctest", claim_id, got.strip() or "(no output)", want, holds)


def check_page_doctests(app, doctree):
    docname = app.env.docname
    if docname.startswith(GALLERY_PREFIX):
        return
    blocks = [node for node in doctree.findall(nodes.literal_block) if is_doctest(node.astext())]
    if not blocks:
        return
    app.env.note_dependency(__file__)  # a change to this checker re-checks the page
    started = time.perf_counter()
    outcomes = []
    for index, report in run_doctest_blocks([node.astext() for node in blocks], docname, outcomes):
        report_failed_check(
            app.env,
            docname,
            "doctest failed in %s:\n%s",
            docname,
            report,
            location=blocks[index],
            type="prose_doctest",
        )
    note_doctest_claims(app.env, docname, outcomes)
    seconds = time.perf_counter() - started
    note_run(app.env, docname, "doctests", f"docs/{docname}.md", True, seconds)
    logger.info("prose doctests: %s: ran %d blocks in %.2f seconds", docname, len(blocks), seconds)


def setup(app):
    app.setup_extension("recheck")
    app.setup_extension("claims_record")
    app.connect("doctree-read", check_page_doctests)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
