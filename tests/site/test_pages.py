"""What the built site shows a reader: executed outputs, version stamps, no foreign assets."""

import re
from importlib.metadata import version
from urllib.parse import urlparse

import pytest

from .conftest import run_sphinx

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


def test_a_moved_checkout_rebuilds_executing_nothing(copy_of_built_site):
    moved = run_sphinx(copy_of_built_site)
    assert moved.returncode == 0, moved.stdout[-4000:]
    assert "executed 0 out of" in moved.stdout, "sphinx-gallery ran examples again"
    assert "Executing" not in moved.stdout, "myst-nb ran a notebook again"  # it logs each one
    assert " probes in " not in moved.stdout, "a live table ran its probes again"

    noop = run_sphinx(copy_of_built_site)
    assert noop.returncode == 0, noop.stdout[-4000:]
    assert "0 source files that are out of date" in noop.stdout, "a no-op rebuild re-read pages"
    assert "executed 0 out of" in noop.stdout
