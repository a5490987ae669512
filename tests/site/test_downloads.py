"""Every gallery example runs on its own, as its downloaded notebook, and its page offers it.

This is the one place each example runs on its own (the build runs them all in one process):
its notebook, in a fresh kernel, in an empty folder, started as soon as the build has run the
example and written the notebook, so these runs share the machine with the rest of the build.
Once the site is built, each example page must offer exactly that notebook and, as its ``.py``
download, the script itself.
"""

from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest
from nbclient import NotebookClient

from ..conftest import reader_environment
from .conftest import EXAMPLES, gallery_notebook

IDS = [path.name for path in EXAMPLES]


@pytest.mark.parametrize("script", EXAMPLES, ids=IDS)
def test_each_example_runs_alone_as_its_notebook(site_build, script, tmp_path):
    notebook = nbformat.read(site_build.notebook(script), as_version=4)
    NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute(env=reader_environment())
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert any(o.get("name") == "stdout" for o in outputs), "the notebook printed nothing"


@pytest.mark.parametrize("script", EXAMPLES, ids=IDS)
def test_each_example_page_offers_the_script_and_the_notebook_that_ran(built_site, script):
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
    assert downloads[".py"].read_bytes() == script.read_bytes(), (
        f"the .py download of {page.name} is not {script.name}"
    )
    ran = gallery_notebook(built_site.root, script)
    assert downloads[".ipynb"].read_bytes() == ran.read_bytes(), (
        f"the .ipynb download of {page.name} is not the notebook that ran on its own"
    )
