"""What the built site shows a reader: executed outputs, version stamps, no foreign assets."""

import re
from importlib.metadata import version
from urllib.parse import urlparse

import pytest
from conftest import copy_of_built_site, run_sphinx

STARTING_EXAMPLE = "auto_examples/basics/plot_starting_examples.html"


def script_outputs(soup) -> str:
    """Text of sphinx-gallery's output blocks: what the script printed, not its code."""
    return "\n".join(block.get_text() for block in soup.select("div.sphx-glr-script-out pre"))


def test_strict_build_has_no_warnings(built_site):
    assert "build succeeded" in built_site.build_log
    # Sphinx's own format; the Jupyter kernel's "[IPKernelApp] WARNING | ..." log is not one.
    sphinx_warnings = re.findall(r".*\bWARNING: .*", built_site.build_log)
    assert not sphinx_warnings, sphinx_warnings


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


def test_noop_rebuild_executes_nothing(built_site):
    result = run_sphinx(built_site.root)
    assert result.returncode == 0, result.stdout[-4000:]
    assert "executed 0 out of 0 files" in result.stdout
    assert "0 source files that are out of date" in result.stdout
    assert "Executing" not in result.stdout  # myst-nb logs each notebook it runs


def test_a_false_claim_in_an_example_breaks_the_build(built_site, tmp_path):
    root = copy_of_built_site(built_site, tmp_path / "variant")
    (root / "examples" / "basics" / "plot_false_claim.py").write_text(
        '"""\n===========\nFalse claim\n===========\n\nAn assertion that does not hold.\n"""\n'
        "import torch\n\n"
        "x = torch.tensor(2.0, requires_grad=True)\n(x * x).backward()\n"
        "assert abs(x.grad.item() - 5.0) < 1e-6, 'the gradient of x*x at 2 is not 5'\n"
    )
    result = run_sphinx(root)
    assert result.returncode != 0
    assert "plot_false_claim.py" in result.stdout
    assert "AssertionError" in result.stdout


def test_a_false_doctest_on_a_prose_page_breaks_the_build(built_site, tmp_path):
    root = copy_of_built_site(built_site, tmp_path / "variant")
    (root / "docs" / "false_doctest.md").write_text(
        "---\norphan: true\n---\n# A wrong claim\n\n```python\n>>> 2 * 2\n5\n```\n"
    )
    result = run_sphinx(root)
    assert result.returncode != 0
    assert "false_doctest" in result.stdout and "doctest failed" in result.stdout
