"""Build the site once per test session, in a temporary folder, the way `nox -s docs` does."""

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
from site_build import SPHINX_ARGS, copy_sources  # noqa: E402


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


def run_alone(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """Run ``python -I *args`` in ``cwd``, as a reader who copied the code would: isolated
    mode and no PYTHON* variables, so no sibling module, PYTHONPATH or user site can help;
    only this interpreter's venv (the pinned requirements). Figures go to a file backend."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    env["MPLBACKEND"] = "Agg"
    return subprocess.run([sys.executable, "-I", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@dataclass
class Site:
    root: Path
    build_log: str

    @property
    def html(self) -> Path:
        return self.root / "_build" / "html"

    def page(self, relative: str) -> BeautifulSoup:
        return BeautifulSoup((self.html / relative).read_text(encoding="utf-8"), "html.parser")

    def pages(self) -> list[Path]:
        """The site's pages, without the theme's and Sphinx's internal folders (``_static``)."""
        pages = self.html.rglob("*.html")
        return sorted(p for p in pages if not p.relative_to(self.html).parts[0].startswith("_"))


def copy_of_built_site(site: Site, dest: Path) -> Path:
    """A copy of the built site, caches included, so a rebuild executes only what changed."""
    shutil.copytree(site.root, dest)
    return dest


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Site:
    root = copy_sources(tmp_path_factory.mktemp("site"))
    result = run_sphinx(root)
    assert result.returncode == 0, f"strict build failed:\n{result.stdout[-6000:]}"
    return Site(root, result.stdout)
