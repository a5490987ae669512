"""``live-table``: cells are probe outcomes, claims are checked, failures fail the build."""

from .conftest import build

PROBES = "probes/arithmetic.py"


def cells(page) -> dict:
    """``{(row, column): text}`` of the page's live table, as a reader reads it."""
    table = page.select_one("table.live-table")
    columns = [th.get_text(strip=True) for th in table.select("thead th")][1:]
    found = {}
    for tr in table.select("tbody tr"):
        row, *entries = [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        found.update({(row, column): entry for column, entry in zip(columns, entries, strict=True)})
    return found


def test_a_live_table_shows_each_probe_outcome(tiny_site):
    result = build(tiny_site("live-table"))
    assert result.statuscode == 0, result.warnings
    page = result.page()
    assert cells(page) == {
        ("square", "at 2"): "✔ correct",
        ("square", "at 0"): "0 zero [1]",
        ("reciprocal", "at 2"): "0.5",
        ("reciprocal", "at 0"): "✘ ZeroDivisionError [2]",
    }
    notes = [li.get_text(" ", strip=True) for li in page.select("ol.live-table-notes li")]
    assert notes == [
        "square × at 0: got 0; expected 1",
        "reciprocal × at 0: ZeroDivisionError: float division by zero",
    ]
    source = page.select_one("details.live-table-source")
    assert "PROBES = {" in source.get_text(), "the probes' source is not shown under the table"


def test_a_contradicted_claim_fails_the_build_and_names_module_and_cell(tiny_site):
    site = tiny_site("live-table")
    with (site / PROBES).open("a") as probes:
        probes.write('\nCLAIMS["square", "at 2"] = "nan"  # what the probe does not give\n')
    result = build(site)
    assert result.statuscode != 0, "a contradicted claim did not fail the build"
    assert "live-table claim failed: probes/arithmetic.py, square × at 2" in result.warnings
    assert "the page claims 'nan', the probe gave correct" in result.warnings

    again = build(site)  # nothing changed: the failed page must be checked again
    assert again.statuscode != 0, "an unchanged page passed the rebuild after failing"
    assert "square × at 2" in again.warnings


def test_editing_a_probe_changes_the_rendered_cell(tiny_site):
    site = tiny_site("live-table")
    assert cells(build(site).page())["reciprocal", "at 2"] == "0.5"
    probes = (site / PROBES).read_text().replace("lambda: 1 / 2.0", "lambda: 1 / 4.0")
    (site / PROBES).write_text(
        probes.replace('("reciprocal", "at 2"): 0.5', '("reciprocal", "at 2"): 0.25')
    )
    result = build(site)
    assert result.statuscode == 0, result.warnings
    assert cells(result.page())["reciprocal", "at 2"] == "0.25"
