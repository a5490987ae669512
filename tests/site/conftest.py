"""The full site, built once per test session in a temporary folder as ``nox -s docs`` does.

Under pytest-xdist the first worker that needs the site builds it while the other goes on with
tests that do not, then waits for that build and reuses it.
"""

import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from site_build import SPHINX_ARGS, copy_sources

from ..conftest import once_per_run


def run_sphinx(root: Path) -> subprocess.CompletedProcess:
    """Run the strict build in ``root``; stdout and stderr are merged into ``.stdout``."""
    return subprocess.run(
        [sys.executable, "-m", "sphinx", *SPHINX_ARGS],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=3600,
    )


@dataclass
class Site:
    root: Path
    build_log: str
    _parsed: dict = field(default_factory=dict, repr=False)  # each page is parsed once

    @property
    def html(self) -> Path:
        return self.root / "_build" / "html"

    def page(self, relative: str) -> BeautifulSoup:
        """The parsed page; tests read it, never change it."""
        if relative not in self._parsed:
            html = (self.html / relative).read_text(encoding="utf-8")
            self._parsed[relative] = BeautifulSoup(html, "html.parser")
        return self._parsed[relative]

    def pages(self) -> list[Path]:
        """The site's pages, without the theme's and Sphinx's internal folders (``_static``)."""
        pages = self.html.rglob("*.html")
        return sorted(p for p in pages if not p.relative_to(self.html).parts[0].startswith("_"))


def build_site(root: Path) -> dict:
    result = run_sphinx(copy_sources(root))
    return {"returncode": result.returncode, "log": result.stdout}


@pytest.fixture(scope="session")
def built_site(tmp_path_factory, worker_id) -> Site:
    root, build = once_per_run(tmp_path_factory, worker_id, "site", build_site)
    assert build["returncode"] == 0, f"strict build failed:\n{build['log'][-6000:]}"
    return Site(root, build["log"])


@pytest.fixture
def copy_of_built_site(built_site, tmp_path) -> Path:
    """A copy of the built site, caches included, in another folder: a moved checkout."""
    return shutil.copytree(built_site.root, tmp_path / "moved")
