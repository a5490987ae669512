"""Live tables are computed by their probes at build time, and every row links to evidence."""

import re
from importlib.metadata import version
from urllib.parse import urlparse

from bs4 import BeautifulSoup

from ..conftest import run_alone

SUMMARY = "summary.html"


def test_summary_table_has_every_row_and_column_computed(built_site):
    table = built_site.page(SUMMARY).select_one("table.live-table")
    rows = table.select("tbody tr")
    columns = table.select("thead th")[1:]
    assert rows, "the summary table has no rows"
    assert columns, "the summary table has no columns"
    for row in rows:
        verdicts = [td.get_text(strip=True) for td in row.find_all("td")[1:]]
        assert len(verdicts) == len(columns), row.get_text(" ", strip=True)
        assert all(verdicts), f"an empty cell: {row.get_text(' ', strip=True)}"
        assert "—" not in verdicts, f"a cell without a probe: {row.get_text(' ', strip=True)}"


def test_every_summary_row_links_to_an_existing_example(built_site):
    for row in built_site.page(SUMMARY).select("table.live-table tbody tr"):
        link = row.find("td").find("a")
        assert link is not None, f"row without a link: {row.find('td').get_text(strip=True)}"
        target = (built_site.html / urlparse(link["href"]).path).resolve()
        assert target.is_file() and "auto_examples" in target.parts, link["href"]
        example = BeautifulSoup(target.read_text(encoding="utf-8"), "html.parser")
        assert example.select("div.sphx-glr-script-out"), f"{target} shows no executed output"


def test_the_summary_download_runs_alone_and_prints_the_table(built_site, tmp_path):
    """What the summary page offers a reader: the probes, runnable on their own install."""
    links = built_site.page(SUMMARY).select(".live-table-provenance a.download")
    assert links, "the summary page offers no download of its probes"
    script = built_site.html / links[0]["href"]
    assert script.name == "summary.py", links[0]["href"]
    (tmp_path / "summary.py").write_bytes(script.read_bytes())
    result = run_alone(["summary.py"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"torch {version('torch')}" in result.stdout, result.stdout
    assert re.search(r"^recursion\s+✔ correct", result.stdout, re.M), result.stdout
    assert re.search(r"\b0 of \d+ cells differ from the site", result.stdout), result.stdout
