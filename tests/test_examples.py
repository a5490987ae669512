"""Every example runs on its own, as a reader who downloads or copies it would run it."""

import shutil
from pathlib import Path

import pytest
from conftest import run_alone

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").rglob("*.py"))


def test_the_gallery_has_examples():
    assert EXAMPLES, "no example scripts found under examples/"


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda path: str(path.relative_to(ROOT)))
def test_example_runs_standalone(script, tmp_path):
    shutil.copy2(script, tmp_path / script.name)  # alone in an empty folder
    result = run_alone([script.name], tmp_path)
    assert result.returncode == 0, f"{script.name} failed:\n{result.stdout}\n{result.stderr}"
    assert result.stdout.strip(), f"{script.name} printed nothing"
