"""``>>>`` examples on prose pages run during the build; a wrong one fails it."""

from .conftest import build


def test_doctest_blocks_of_a_page_share_names_and_pass(tiny_site):
    result = build(tiny_site("prose-doctest"))
    assert result.statuscode == 0, result.warnings
    assert "prose doctests: index: ran 2 blocks" in result.status


def test_a_false_doctest_fails_the_build_at_its_line_and_again_on_rebuild(tiny_site):
    site = tiny_site("prose-doctest")
    with (site / "index.md").open("a") as page:
        page.write("\n```python\n>>> total + 1\n6\n```\n")
    result = build(site)
    assert result.statuscode != 0, "a false doctest did not fail the build"
    assert "index.md:16: WARNING: doctest failed in index" in result.warnings, result.warnings
    assert "expected:\n6\ngot:\n5" in result.warnings

    again = build(site)  # nothing changed: the failed page must be checked again
    assert again.statuscode != 0, "an unchanged page passed the rebuild after failing"
