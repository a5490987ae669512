"""The site's build, defined once: the sphinx-build arguments, and a clean copy of the sources.

Used by ``noxfile.py`` (``nox -s docs``), the tests (which build in a temporary folder) and
the build benchmark, so that all three build the site the same way.
"""

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Strict: a warning, a failing example or a failing notebook cell fails the build.
SPHINX_ARGS = ["-W", "--keep-going", "-b", "html", "-c", ".", "docs", "_build/html"]
GENERATED = shutil.ignore_patterns("auto_examples", "_build", "__pycache__", ".ipynb_checkpoints")


def copy_sources(dest: Path) -> Path:
    """Copy what a clean clone holds for the build (no caches, no output) into ``dest``."""
    shutil.copy2(ROOT / "conf.py", dest / "conf.py")
    for folder in ["docs", "examples"]:
        shutil.copytree(ROOT / folder, dest / folder, ignore=GENERATED)
    return dest
