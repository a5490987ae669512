"""``live-table``: every cell is a probe's outcome and has an expected outcome; a changed
outcome or a broken probe fails the build; the table's download runs on its own."""

import pytest

from ..conftest import run_alone
from .conftest import build

PROBES = "probes/arithmetic.py"
DOWNLOAD = "_downloads/live-tables/arithmetic.py"
# For each cell of the fixture: its expectation, and another one that its outcome does not meet.
EXPECTATIONS = {
    ("square", "at 2"): ('"ok"', '"nan"'),
    ("square", "at 0"): ('"zero"', '"ok"'),
    ("reciprocal", "at 2"): ("0.5", "0.25"),
    ("reciprocal", "at 0"): ('"ZeroDivisionError"', '"OverflowError"'),
    ("halving", "at 2"): ('"ok"', '"none"'),
    ("halving", "at 0"): ('("wrong", 1.5)', '("wrong", 2.5)'),
    ("fallback", "at 2"): ('("ran eagerly", "ok")', '"ok"'),
    ("fallback", "at 0"): ('("ran eagerly", ("wrong", 3.0))', '("wrong", 3.0)'),
}


def cells(page) -> dict:
    """``{(row, column): text}`` of the page's live table, as a reader reads it."""
    table = page.select_one("table.live-table")
    columns = [th.get_text(strip=True) for th in table.select("thead th")][1:]
    found = {}
    for tr in table.select("tbody tr"):
        row, *entries = [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        found.update({(row, column): entry for column, entry in zip(columns, entries, strict=True)})
    return found


def edit(site, old: str, new: str):
    probes = (site / PROBES).read_text()
    assert old in probes, f"{old!r} is not in the fixture's probes"
    (site / PROBES).write_text(probes.replace(old, new))


def test_a_live_table_shows_each_probe_outcome_and_where_it_ran(tiny_site):
    result = build(tiny_site("live-table"))
    assert result.statuscode == 0, result.warnings
    page = result.page()
    assert cells(page) == {
        ("square", "at 2"): "✔ correct",
        ("square", "at 0"): "0 zero [1]",
        ("reciprocal", "at 2"): "0.5",
        ("reciprocal", "at 0"): "✘ ZeroDivisionError [2]",
        ("halving", "at 2"): "✔ correct",
        ("halving", "at 0"): "≠ different value [3]",
        ("fallback", "at 2"): "✔ correct (ran eagerly) [4]",
        ("fallback", "at 0"): "≠ different value (ran eagerly) [5]",
    }
    notes = [li.get_text(" ", strip=True) for li in page.select("ol.live-table-notes li")]
    assert notes == [
        "square × at 0: got 0; expected 1",
        "reciprocal × at 0: ZeroDivisionError: float division by zero; the probe's own words",
        "halving × at 0: got 1.5; expected 0",
        "fallback × at 2: ran eagerly: the fixture's compiler failed",
        "fallback × at 0: got 3; expected 0; ran eagerly: the fixture's compiler failed",
    ]
    provenance = page.select_one(".live-table-provenance").get_text(" ", strip=True)
    assert "Computed while this page was built, with Python 3." in provenance, provenance
    assert page.select_one(".live-table-provenance a.download")["href"] == DOWNLOAD
    source = page.select_one("details.live-table-source")
    assert "PROBES = {" in source.get_text(), "the probes' source is not shown under the table"


@pytest.mark.parametrize(
    ("row", "column"), list(EXPECTATIONS), ids=[" × ".join(k) for k in EXPECTATIONS]
)
def test_a_changed_outcome_fails_the_build_naming_module_and_cell(tiny_site, row, column):
    site = tiny_site("live-table")
    expected, other = EXPECTATIONS[row, column]
    edit(site, f'("{row}", "{column}"): {expected},', f'("{row}", "{column}"): {other},')
    result = build(site)
    assert result.statuscode != 0, "a changed outcome did not fail the build"
    named = f"live-table expectation failed: probes/arithmetic.py, {row} × {column}: expected"
    assert named in result.warnings, result.warnings
    assert result.warnings.count("WARNING:") == 1, f"other cells reported:\n{result.warnings}"

    again = build(site)  # nothing changed: the failed page must be checked again
    assert again.statuscode != 0, "an unchanged page passed the rebuild after failing"


def test_the_failure_gives_the_expected_and_the_actual_outcome(tiny_site):
    site = tiny_site("live-table")
    edit(site, '("reciprocal", "at 2"): 0.5,', '("reciprocal", "at 2"): "ZeroDivisionError",')
    result = build(site)
    assert "reciprocal × at 2: expected ✘ ZeroDivisionError, the probe gave 0.5" in result.warnings


@pytest.mark.parametrize("expectation", ['"NameError"', '"ZeroDivisionError"', None])
def test_a_broken_probe_fails_the_build_with_its_traceback(tiny_site, expectation):
    """A probe's own NameError is never published as a cell, whatever the cell expects."""
    site = tiny_site("live-table")
    edit(site, "return 1 / 0.0", "return 1 / undefined_name")
    if expectation != '"ZeroDivisionError"':
        replacement = f'("reciprocal", "at 0"): {expectation},' if expectation else ""
        edit(site, '("reciprocal", "at 0"): "ZeroDivisionError",', replacement)
    result = build(site)
    assert result.statuscode != 0, "a probe raising NameError did not fail the build"
    assert "reciprocal × at 0" in result.warnings, result.warnings
    if expectation is None:
        assert "has no expected outcome" in result.warnings, result.warnings
    else:
        assert "Traceback (most recent call last)" in result.warnings, result.warnings
    assert "NameError: name 'undefined_name' is not defined" in result.warnings


def test_editing_a_probe_changes_the_rendered_cell(tiny_site):
    site = tiny_site("live-table")
    assert cells(build(site).page())["reciprocal", "at 2"] == "0.5"
    edit(site, "lambda: 1 / 2.0", "lambda: 1 / 4.0")
    edit(site, '("reciprocal", "at 2"): 0.5', '("reciprocal", "at 2"): 0.25')
    result = build(site)
    assert result.statuscode == 0, result.warnings
    assert cells(result.page())["reciprocal", "at 2"] == "0.25"


def test_the_downloaded_table_runs_alone_and_names_cells_that_differ(tiny_site, tmp_path):
    site = tiny_site("live-table")
    assert build(site).statuscode == 0
    script = (site / "_build" / "html" / DOWNLOAD).read_text()
    (tmp_path / "arithmetic.py").write_text(script)
    same = run_alone(["arithmetic.py"], tmp_path)
    assert same.returncode == 0, same.stdout + same.stderr
    assert "reciprocal  0.5" in same.stdout, same.stdout
    assert "0 of 8 cells differ from the site" in same.stdout, same.stdout

    # A reader whose installation computes another value for one cell:
    (tmp_path / "arithmetic.py").write_text(script.replace("lambda: 1 / 2.0", "lambda: 1 / 3.0"))
    other = run_alone(["arithmetic.py"], tmp_path)
    assert other.returncode == 1, other.stdout + other.stderr
    assert "1 of 8 cells differ from the site" in other.stdout, other.stdout
    assert "- reciprocal × at 2: the site shows 0.5; here 0.333333" in other.stdout, other.stdout


def test_probes_that_need_a_file_beside_them_fail_the_build(tiny_site):
    """The build runs each table as its download runs: alone, in an empty folder."""
    site = tiny_site("live-table")
    (site / "probes" / "constants.py").write_text("TWO = 2.0\n")
    edit(site, '"""Probes of plain', 'from constants import TWO\n\n"""Probes of plain')
    result = build(site)
    assert result.statuscode != 0, "probes importing a file beside them did not fail the build"
    assert "live-table: probes/arithmetic.py does not run on its own" in result.warnings
    assert "ModuleNotFoundError: No module named 'constants'" in result.warnings, result.warnings
