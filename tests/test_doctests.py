"""The ``>>>`` examples of every prose page hold, and each block a reader copies runs alone."""

import doctest
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
from prose_doctest import is_doctest, run_doctest_blocks  # noqa: E402

PAGES = sorted(p for p in (ROOT / "docs").rglob("*.md") if "auto_examples" not in p.parts)
PAGES_WITH_DOCTESTS = [
    page
    for page in PAGES
    if any(
        token.type == "fence" and is_doctest(token.content)
        for token in MarkdownIt("commonmark").parse(page.read_text(encoding="utf-8"))
    )
]


def test_some_prose_pages_carry_doctests():
    assert PAGES_WITH_DOCTESTS, "no prose page has a >>> example"


@pytest.mark.parametrize("page", PAGES_WITH_DOCTESTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_prose_page_doctests(page):
    tokens = MarkdownIt("commonmark").parse(page.read_text(encoding="utf-8"))
    fences = [t for t in tokens if t.type == "fence" and is_doctest(t.content)]
    failures = [
        f"{page.name}:{fences[index].map[0] + 1}: {report}"
        for index, report in run_doctest_blocks([t.content for t in fences], page.stem)
    ]
    assert not failures, "\n\n".join(failures)


def copied_blocks():
    """What a reader's copy button yields for each ``>>>`` block: the code, without prompts
    and without the expected output."""
    parser = doctest.DocTestParser()
    for page in PAGES_WITH_DOCTESTS:
        for token in MarkdownIt("commonmark").parse(page.read_text(encoding="utf-8")):
            if token.type == "fence" and is_doctest(token.content):
                code = "".join(example.source for example in parser.get_examples(token.content))
                yield pytest.param(code, id=f"{page.relative_to(ROOT)}:{token.map[0] + 1}")


@pytest.mark.parametrize("code", list(copied_blocks()))
def test_each_copied_block_runs_on_its_own(code, tmp_path):
    result = subprocess.run([sys.executable, "-I", "-c", code], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
