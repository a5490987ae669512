"""Executed outputs are reused exactly as long as nothing that shapes them changed."""

import json
import shutil

import build_info
import pytest
from site_build import CLAIMS_RECORD

from ..conftest import once_per_run
from .conftest import ROOTS, build

EXAMPLE_RAN = "example says 42"  # what the example prints, on the gallery page
NOTHING = {"example": False, "notebook": False, "live table": False}
EVERYTHING = {"example": True, "notebook": True, "live table": True}


def executed(result) -> dict:
    """What the build ran, from its claims record (``runs``, see claims_record.py)."""
    runs = json.loads((result.srcdir / CLAIMS_RECORD).read_text(encoding="utf-8"))["runs"]
    assert {run["kind"] for run in runs} == set(NOTHING), runs
    return {kind: any(run["ran"] for run in runs if run["kind"] == kind) for kind in NOTHING}


def first_build(folder):
    result = build(shutil.copytree(ROOTS / "gallery-notebook", folder, dirs_exist_ok=True))
    return {
        "statuscode": result.statuscode,
        "executed": executed(result),
        "log": result.status + result.warnings,
    }


@pytest.fixture
def built(tmp_path_factory, worker_id, tmp_path):
    """A copy, in another folder, of the tiny site built once for the whole test run."""
    site, first = once_per_run(tmp_path_factory, worker_id, "tiny-gallery", first_build)
    assert first["statuscode"] == 0, first["log"]
    assert first["executed"] == EVERYTHING, first["log"]
    return shutil.copytree(site, tmp_path / "elsewhere" / "renamed")


def test_a_moved_checkout_executes_nothing_and_its_next_rebuild_reads_nothing(built):
    """Sphinx re-reads every page of a moved checkout (its environment records the source
    folder); the live table reuses its outcomes, and the examples and notebooks their caches."""
    result = build(built)
    assert result.statuscode == 0, result.warnings
    assert executed(result) == NOTHING, result.status
    assert "one_cell.py: reused the outcomes of an identical run" in result.status, result.status
    assert EXAMPLE_RAN in result.page("auto_examples/plot_arithmetic").get_text()
    assert "42" in result.page("table").select_one("table.live-table").get_text()

    noop = build(built)
    assert executed(noop) == NOTHING, noop.status
    assert "0 added, 0 changed, 0 removed" in noop.status, noop.status


def test_a_version_change_executes_everything_again(built, monkeypatch):
    real = build_info.installed_versions
    monkeypatch.setattr(
        build_info, "installed_versions", lambda: {**real(), "numpy": "99.0"}
    )  # a new numpy release
    result = build(built)
    assert result.statuscode == 0, result.warnings
    assert executed(result) == EVERYTHING, result.status
    assert executed(build(built)) == NOTHING


def test_a_failing_example_fails_the_build_and_names_it(built):
    example = built / "examples" / "plot_arithmetic.py"
    example.write_text(example.read_text().replace("answer = 6 * 7", "answer = 6 * 8"))
    result = build(built)
    assert result.statuscode != 0, "a failing example did not fail the build"
    assert "Unexpected failing examples" in result.error
    assert "plot_arithmetic.py" in result.error
    assert "AssertionError: 6 * 7 gave 48" in result.error
