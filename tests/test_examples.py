"""Every example runs on its own, as a reader who downloads or copies it would run it."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").rglob("*.py"))


def test_the_gallery_has_examples():
    assert EXAMPLES, "no example scripts found under examples/"


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda path: str(path.relative_to(ROOT)))
def test_example_runs_standalone(script, tmp_path):
    # Alone in an empty folder, in isolated mode (-I): no sibling module, no PYTHONPATH and no
    # user site can help it; only the pinned requirements of this interpreter's venv.
    shutil.copy2(script, tmp_path / script.name)
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    env["MPLBACKEND"] = "Agg"
    result = subprocess.run(
        [sys.executable, "-I", script.name],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"{script.name} failed:\n{result.stdout}\n{result.stderr}"
    assert result.stdout.strip(), f"{script.name} printed nothing"
