"""Tiny fixture sites for the site's own Sphinx extensions (``docs/_ext``).

Each test copies one folder of ``roots/`` into its temporary directory and builds it in this
process with ``sphinx.testing``: a few seconds, and never torch or jax, whose import is refused.
"""

import importlib.abc
import shutil
import sys
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinx.errors import SphinxError
from sphinx.testing.util import SphinxTestApp

ROOTS = Path(__file__).parent / "roots"
FRAMEWORKS = ("torch", "jax", "jaxlib")


class RefuseFrameworks(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in FRAMEWORKS:
            raise ImportError(f"the extension tests must not import {name}")
        return None


@pytest.fixture(autouse=True, scope="module")
def no_frameworks():
    """Fail a test that imports torch or jax, or runs after something imported them."""
    imported = [name for name in FRAMEWORKS if name in sys.modules]
    assert not imported, f"{imported} imported in this process before an extension test"
    finder = RefuseFrameworks()
    sys.meta_path.insert(0, finder)
    yield
    sys.meta_path.remove(finder)


@dataclass
class Build:
    srcdir: Path
    statuscode: int
    status: str
    warnings: str
    error: str  # what ended the build, as sphinx-build would print it (it then exits 2)

    def page(self, name="index") -> BeautifulSoup:
        html = (self.srcdir / "_build" / "html" / f"{name}.html").read_text(encoding="utf-8")
        return BeautifulSoup(html, "html.parser")


def build(srcdir: Path, **confoverrides) -> Build:
    """Build ``srcdir`` strictly (warnings are errors), as ``nox -s docs`` builds the site."""
    status, warnings = StringIO(), StringIO()
    # Sphinx adds each app's parsers to one shared default ``source_suffix`` dict: a fresh one
    # per build keeps a site that loaded myst-nb from leaking its parser into the next site.
    confoverrides = {"source_suffix": {".rst": "restructuredtext"}, **confoverrides}
    app = SphinxTestApp(
        "html",
        srcdir=srcdir,
        status=status,
        warning=warnings,
        warningiserror=True,
        confoverrides=confoverrides,
    )
    error = ""
    try:
        app.build()
    except SphinxError as exc:
        error = f"{type(exc).__name__}: {exc}"
    finally:
        app.cleanup()
    statuscode = 2 if error else app.statuscode
    return Build(srcdir, statuscode, status.getvalue(), warnings.getvalue(), error)


@pytest.fixture
def tiny_site(tmp_path):
    """``tiny_site("live-table")``: a fresh copy of ``roots/live-table`` to build."""

    def copy(name: str) -> Path:
        return shutil.copytree(ROOTS / name, tmp_path / name)

    return copy
