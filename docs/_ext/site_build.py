"""The site's build, defined once: the sphinx-build arguments, a clean copy of the sources,
and how code runs as a reader runs it.

Used by ``noxfile.py`` (``nox -s docs``), the tests (which build in a temporary folder) and
the build benchmark, so that all three build the site the same way; ``run_alone`` also by the
live tables (which run each table's download) and by the tests of copied code.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Strict: a warning, a failing example or a failing notebook cell fails the build.
SPHINX_ARGS = ["-W", "--keep-going", "-b", "html", "-c", ".", "docs", "_build/html"]
CLAIMS_RECORD = "_build/claims.json"  # every claim the build checked (claims_record.py)
GENERATED = shutil.ignore_patterns("auto_examples", "_build", "__pycache__", ".ipynb_checkpoints")


def copy_sources(dest: Path) -> Path:
    """Copy what a clean clone holds for the build (no caches, no output) into ``dest``."""
    shutil.copy2(ROOT / "conf.py", dest / "conf.py")
    for folder in ["docs", "examples"]:
        shutil.copytree(ROOT / folder, dest / folder, ignore=GENERATED)
    return dest


def reader_environment() -> dict:
    """A reader's environment: no PYTHON* variables, so no PYTHONPATH or user site can help;
    only this interpreter's venv (the pinned requirements). Figures go to a file backend."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    return {**env, "MPLBACKEND": "Agg"}


def run_alone(args: list[str], cwd: Path, timeout: float | None = 300):
    """Run ``python -I *args`` in ``cwd``, as a reader who copied the code would: isolated
    mode, so no module beside it can help either."""
    return subprocess.run(
        [sys.executable, "-I", *args],
        cwd=cwd,
        env=reader_environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
