"""The section index the site's search runs on: sections, code-aware words, the search page."""

import json
import re

from search_index import INDEX_FILE, normalize

from ..conftest import ROOT
from .conftest import build


def built_index(tiny_site):
    result = build(
        tiny_site("search-index"),
        templates_path=[str(ROOT / "docs" / "_templates")],
        html_static_path=[str(ROOT / "docs" / "_static")],
    )
    assert result.statuscode == 0, result.warnings
    script = (result.srcdir / "_build" / "html" / INDEX_FILE).read_text(encoding="utf-8")
    assert script.startswith("Search.setIndex(") and script.endswith(");\n"), script[:80]
    return result, json.loads(script[len("Search.setIndex(") : -len(");\n")])


def sections_with(index, word):
    postings = index["terms"].get(word, [])
    return {tuple(index["sections"][number][:3]) for number in postings[::2]}


def test_index_has_one_entry_per_section_with_its_anchor_and_heading(tiny_site):
    _, index = built_index(tiny_site)
    pages = {target: title for target, title in index["pages"]}
    assert pages == {"index.html": "Search fixture", "errors.html": "Errors"}, pages
    rows = [
        (index["pages"][page][0], anchor, heading) for page, anchor, heading, _ in index["sections"]
    ]
    assert ("index.html", "", "Search fixture") in rows, rows  # the page's top: no anchor
    assert ("index.html", "where-a-branch-is-if", "Where a branch is if") in rows, rows
    assert ("index.html", "another", "Another section") in rows, rows
    excerpts = [excerpt for *_, excerpt in index["sections"]]
    assert "An in-place update overwrote a saved tensor." in excerpts, excerpts


def test_words_are_code_aware_and_spelling_tolerant(tiny_site):
    _, index = built_index(tiny_site)
    top = ("index", "", "Search fixture")
    assert {
        (index["pages"][p][0].removesuffix(".html"), a, h)
        for p, a, h in sections_with(index, normalize("subgradient"))
    } == {top}
    assert sections_with(index, normalize("reparameterization")), "reparameterisation is not folded"
    branch = sections_with(index, "torch.where")
    assert [heading for *_, heading in branch] == ["Where a branch is if"], branch
    for code_word in ["where", "if"]:
        assert sections_with(index, normalize(code_word)), f"{code_word!r} was dropped"
    assert "the" not in index["terms"], "an English stopword was indexed"
    assert "zebra" not in index["terms"], "the text of an in-page link was indexed twice"
    inplace = [heading for *_, heading in sections_with(index, normalize("inplace"))]
    assert len(inplace) == 1 and "inplace" in inplace[0], inplace


def test_search_page_loads_the_section_index_instead_of_sphinx_index(tiny_site):
    result, _ = built_index(tiny_site)
    scripts = [tag.get("src", "") for tag in result.page("search").select("script")]
    assert any(src.endswith("_static/search-sections.js") for src in scripts), scripts
    assert any(src.endswith("_static/search_ranking.js") for src in scripts), scripts
    assert not any(src.startswith("searchindex.js") for src in scripts), scripts


def test_other_pages_load_no_search_index(tiny_site):
    """The theme's search-as-you-type is off: Sphinx's index would only weigh on every page."""
    result, _ = built_index(tiny_site)
    scripts = [tag.get("src", "") for tag in result.page("index").select("script")]
    assert scripts, "the page loads no script at all: the check below would prove nothing"
    loaded = [src for src in scripts if re.search(r"searchindex|searchtools|search-sections", src)]
    assert not loaded, f"the page loads search scripts: {loaded}"
