"""The ``>>>`` examples of every prose page hold, and each block a reader copies runs alone."""

import doctest
import sys
from pathlib import Path

import pytest
from conftest import run_alone
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
from prose_doctest import is_doctest, run_doctest_blocks  # noqa: E402


def doctest_fences(page):
    """The ``>>>`` code blocks of a Markdown page, as markdown-it tokens (``.map`` = lines)."""
    tokens = MarkdownIt("commonmark").parse(page.read_text(encoding="utf-8"))
    return [token for token in tokens if token.type == "fence" and is_doctest(token.content)]


PAGES = sorted(p for p in (ROOT / "docs").rglob("*.md") if "auto_examples" not in p.parts)
FENCES = {page: fences for page in PAGES if (fences := doctest_fences(page))}


def test_some_prose_pages_carry_doctests():
    assert FENCES, "no prose page has a >>> example"


@pytest.mark.parametrize("page", list(FENCES), ids=lambda p: str(p.relative_to(ROOT)))
def test_prose_page_doctests(page):
    fences = FENCES[page]
    failures = [
        f"{page.name}:{fences[index].map[0] + 1}: {report}"
        for index, report in run_doctest_blocks([t.content for t in fences], page.stem)
    ]
    assert not failures, "\n\n".join(failures)


def copied_blocks():
    """What a reader's copy button yields for each ``>>>`` block: the code, without prompts
    and without the expected output."""
    parser = doctest.DocTestParser()
    for page, fences in FENCES.items():
        for token in fences:
            code = "".join(example.source for example in parser.get_examples(token.content))
            yield pytest.param(code, id=f"{page.relative_to(ROOT)}:{token.map[0] + 1}")


@pytest.mark.parametrize("code", list(copied_blocks()))
def test_each_copied_block_runs_on_its_own(code, tmp_path):
    result = run_alone(["-c", code], tmp_path)
    assert result.returncode == 0, result.stderr
