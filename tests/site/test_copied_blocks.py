"""Each ``>>>`` block of a prose page runs on its own, as a reader's copy button yields it.

That the blocks hold (their outputs match) is checked by the strict build itself
(``docs/_ext/prose_doctest.py``; tested in ``tests/extensions/test_prose_doctest.py``).
"""

import doctest
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from prose_doctest import is_doctest

from ..conftest import ROOT, run_alone

PAGES = sorted(p for p in (ROOT / "docs").rglob("*.md") if "auto_examples" not in p.parts)


def copied_blocks():
    """What the copy button yields for each ``>>>`` block: the code, without prompts and
    without the expected output."""
    parser = doctest.DocTestParser()
    for page in PAGES:
        for token in MarkdownIt("commonmark").parse(page.read_text(encoding="utf-8")):
            if token.type == "fence" and is_doctest(token.content):
                code = "".join(example.source for example in parser.get_examples(token.content))
                yield pytest.param(code, id=f"{page.relative_to(ROOT)}:{token.map[0] + 1}")


BLOCKS = list(copied_blocks())


def test_prose_pages_carry_copyable_blocks():
    assert BLOCKS, "no prose page has a >>> block: the copy test below would check nothing"


@pytest.mark.slow
@pytest.mark.parametrize("code", BLOCKS)
def test_each_copied_block_runs_on_its_own(code, tmp_path: Path):
    result = run_alone(["-c", code], tmp_path)
    assert result.returncode == 0, result.stderr
