"""The full site, built once per test session in a temporary folder as ``nox -s docs`` does.

The first test that needs the site starts its build in the background (``site_build``), and
every pytest-xdist worker shares that one build. Tests that need only what the build has
already written (each example's notebook, written as soon as the example ran) go on while it
runs; tests of the finished site (``built_site``) wait for it.
"""

import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from site_build import SPHINX_ARGS, copy_sources

from ..conftest import ROOT, once_per_run

EXAMPLES = sorted((ROOT / "examples").rglob("plot_*.py"))
BUILD_TIMEOUT = 3600  # seconds; the whole site builds in about four minutes on two cores
SPHINX = [sys.executable, "-m", "sphinx", *SPHINX_ARGS]


def gallery_notebook(root: Path, script: Path) -> Path:
    """Where the build in ``root`` writes the notebook sphinx-gallery makes of ``script``."""
    section = script.parent.relative_to(ROOT / "examples")
    return root / "docs" / "auto_examples" / section / f"{script.stem}.ipynb"


def run_sphinx(root: Path) -> subprocess.CompletedProcess:
    """Run the strict build in ``root``; stdout and stderr are merged into ``.stdout``."""
    return subprocess.run(
        SPHINX,
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=BUILD_TIMEOUT,
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


@dataclass
class SiteBuild:
    """The site's build, running or finished, in ``root`` (a clean copy of the sources)."""

    root: Path

    @property
    def finished(self) -> bool:
        return (self.root / "returncode").exists()

    def _poll(self, done, what: str):
        """Wait until ``done()``; fail naming ``what`` if the build ends or times out first."""
        deadline = time.monotonic() + BUILD_TIMEOUT
        while not done():
            assert not self.finished, f"the build ended without writing {what}"
            assert time.monotonic() < deadline, f"{what}: not written after {BUILD_TIMEOUT} s"
            time.sleep(1)

    def wait(self) -> "Site":
        self._poll(lambda: self.finished, "returncode")
        returncode = int((self.root / "returncode").read_text())
        log = (self.root / "build.log").read_text(encoding="utf-8")
        assert returncode == 0, f"strict build failed:\n{log[-6000:]}"
        return Site(self.root, log)

    def notebook(self, script: Path) -> Path:
        """The notebook sphinx-gallery makes of ``script``: it appears, whole (written under
        another name, then renamed), right after the example ran in the build."""
        notebook = gallery_notebook(self.root, script)
        self._poll(notebook.exists, notebook.name)
        return notebook


def start_build(root: Path) -> dict:
    """Start the strict build in the background; it writes ``build.log``, then ``returncode``."""
    copy_sources(root)
    subprocess.Popen(
        [
            "/bin/sh",
            "-c",
            f"{shlex.join(SPHINX)} > build.log 2>&1; echo $? > rc.tmp; mv rc.tmp returncode",
        ],
        cwd=root,
        start_new_session=True,  # not stopped with the worker that happened to start it
    )
    return {}


@pytest.fixture(scope="session")
def site_build(tmp_path_factory, worker_id) -> SiteBuild:
    root, _ = once_per_run(tmp_path_factory, worker_id, "site", start_build)
    return SiteBuild(root)


@pytest.fixture(scope="session")
def built_site(site_build) -> Site:
    return site_build.wait()


@pytest.fixture
def copy_of_built_site(built_site, tmp_path) -> Path:
    """A copy of the built site, caches included, in another folder: a moved checkout."""
    return shutil.copytree(built_site.root, tmp_path / "moved")
