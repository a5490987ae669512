"""What the built site shows a reader: executed outputs, version stamps, no foreign assets."""

import json
import re
import sys
import sysconfig
from importlib.metadata import version
from urllib.parse import urlparse

import pytest
from site_build import CLAIMS_RECORD

from .conftest import EXAMPLES, run_sphinx

STARTING_EXAMPLE = "auto_examples/basics/plot_starting_examples.html"


def script_outputs(soup) -> str:
    """Text of sphinx-gallery's output blocks: what the script printed, not its code."""
    return "\n".join(block.get_text() for block in soup.select("div.sphx-glr-script-out pre"))


@pytest.mark.parametrize("framework", ["PyTorch", "JAX"])
@pytest.mark.parametrize(
    ("program", "x", "gradient"),
    [("branchy", "2.0", "4.0"), ("branchy", "0.5", "1.0"), ("doubled_three_times", "1.0", "8.0")],
)
def test_starting_examples_show_live_gradients(built_site, framework, program, x, gradient):
    printed = script_outputs(built_site.page(STARTING_EXAMPLE))
    line = f"{framework}:\\s+gradient of {program} at x={x}: {gradient} \\(expected {gradient}\\)"
    assert re.search(line, printed), f"{STARTING_EXAMPLE} output lacks {line!r}:\n{printed}"


def test_notebook_page_shows_its_executed_outputs(built_site):
    cells = built_site.page("guide/quickstart.html").select("div.cell_output")
    outputs = [div.get_text() for div in cells]
    assert any("x = 2.0: gradient 4.0" in text for text in outputs), outputs
    assert any("x = 0.5: gradient 1.0" in text for text in outputs), outputs


def test_every_page_is_stamped_with_the_versions_that_built_it(built_site):
    stamp = f"torch {version('torch')}, jax {version('jax')}"
    for page in built_site.pages():
        footer = built_site.page(str(page.relative_to(built_site.html))).select_one(".build-info")
        assert footer is not None and stamp in footer.get_text(), page


def test_pages_load_nothing_from_another_origin(built_site):
    for page in built_site.pages():
        soup = built_site.page(str(page.relative_to(built_site.html)))
        loaded = [tag.get("src") for tag in soup.select("[src]")]
        loaded += [tag.get("href") for tag in soup.select("link[href]")]
        foreign = [url for url in loaded if urlparse(url).netloc or url.startswith("//")]
        assert not foreign, f"{page.name} loads {foreign}"


def claims_record(root) -> dict:
    return json.loads((root / CLAIMS_RECORD).read_text(encoding="utf-8"))


def test_the_claims_record_holds_every_claim_of_every_kind(built_site):
    record = claims_record(built_site.root)
    claims = record["claims"]
    examples = sorted(c["id"] for c in claims if c["kind"] == "example")
    assert examples == sorted(
        f"example: {p.relative_to(p.parents[2]).as_posix()}" for p in EXAMPLES
    )
    kinds = {kind: sum(c["kind"] == kind for c in claims) for kind in {c["kind"] for c in claims}}
    # Floors far below today's counts (255 cells, 239 doctests, 148 cells): fewer means a
    # kind of claim stopped being recorded.
    assert kinds["table cell"] > 200 and kinds["doctest"] > 150, kinds
    assert kinds["notebook cell"] > 100, kinds
    assert [c["id"] for c in claims if not c["holds"]] == [], "the strict build passed"
    assert len({c["id"] for c in claims}) == len(claims), "claim ids are unique"
    assert record["versions"]["torch"] == version("torch"), record["versions"]


def test_no_page_shows_the_paths_of_the_machine_that_built_it(built_site):
    builder = {
        "the folder the site was built in": str(built_site.root),
        "the build's virtual environment": sys.prefix,
        "the interpreter's standard library": sysconfig.get_paths()["stdlib"],
    }
    published = [*built_site.pages(), *(built_site.html / "_sources").rglob("*.txt")]
    shown = {
        page.relative_to(built_site.html).as_posix(): [
            what for what, path in builder.items() if path in page.read_text(encoding="utf-8")
        ]
        for page in published
    }
    assert {page: found for page, found in shown.items() if found} == {}
    # The paths were rewritten, not lost: JAX's error still names the example's file.
    printed = script_outputs(
        built_site.page("auto_examples/compilers/plot_jit_and_python_branches.html")
    )
    assert "function branchy at examples/compilers/plot_jit_and_python_branches.py:" in printed


def test_a_moved_checkout_rebuilds_executing_nothing(copy_of_built_site):
    """Sphinx re-reads every page of a moved checkout (its environment records the source
    folder), so prose doctests run again (seconds); examples, notebooks and tables do not."""
    moved = run_sphinx(copy_of_built_site)
    assert moved.returncode == 0, moved.stdout[-4000:]
    runs = claims_record(copy_of_built_site)["runs"]
    ran = [run for run in runs if run["ran"] and run["kind"] != "doctests"]
    assert ran == [], "a moved checkout ran examples, notebooks or live tables again"

    noop = run_sphinx(copy_of_built_site)
    assert noop.returncode == 0, noop.stdout[-4000:]
    assert "0 source files that are out of date" in noop.stdout, "a no-op rebuild re-read pages"
    assert [run for run in claims_record(copy_of_built_site)["runs"] if run["ran"]] == []
