"""Every gallery example offers .py and .ipynb downloads, and the notebook runs end to end.

This is the one place each example runs on its own (the build runs them all in one process):
the downloaded notebook, in a fresh kernel, in an empty folder. The ``.py`` download is
checked to be the script itself, so the script is covered too.
"""

from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest
from nbclient import NotebookClient

from ..conftest import ROOT, reader_environment

EXAMPLES = sorted((ROOT / "examples").rglob("plot_*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda path: path.name)
def test_downloaded_notebook_executes(built_site, script, tmp_path):
    section = script.parent.name
    page = built_site.html / "auto_examples" / section / f"{script.stem}.html"
    links = [
        a["href"]
        for a in built_site.page(str(page.relative_to(built_site.html))).select(
            "a.reference.download"
        )
    ]
    downloads = {Path(urlparse(href).path).suffix: (page.parent / href).resolve() for href in links}
    assert {".py", ".ipynb"} <= set(downloads), f"{page.name} offers {sorted(downloads)}"
    assert downloads[".py"].read_text(encoding="utf-8") == script.read_text(encoding="utf-8"), (
        f"the .py download of {page.name} is not {script.name}"
    )
    notebook = nbformat.read(downloads[".ipynb"], as_version=4)
    NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute(env=reader_environment())
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert any(o.get("name") == "stdout" for o in outputs), "the notebook printed nothing"
