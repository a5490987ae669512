"""Live tables are computed by their probes at build time, and every row links to evidence."""

import re
from importlib.metadata import version
from urllib.parse import urlparse

from bs4 import BeautifulSoup

from ..conftest import ROOT

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


def test_each_table_offers_its_probes_as_the_script_the_build_ran(built_site):
    """The build renders each table from its download run on its own (``python -I``; tested on
    a tiny site in ``tests/extensions/test_live_tables.py``): here, each download is its probe
    module with the runner appended, stamped with the versions that computed the page."""
    offered = {}
    for path in built_site.pages():
        relative = str(path.relative_to(built_site.html))
        for link in built_site.page(relative).select(".live-table-provenance a.download"):
            offered[link.get_text()] = (path.parent / link["href"]).resolve()
    probes = {path.name: path for path in (ROOT / "docs" / "probes").glob("*.py")}
    assert sorted(offered) == sorted(probes), f"tables offer {sorted(offered)}"
    for name, download in offered.items():
        script = download.read_text(encoding="utf-8")
        assert script.startswith(probes[name].read_text(encoding="utf-8").rstrip()), name
        assert script.rstrip().endswith("sys.exit(main(globals()))"), name
        stamp = re.search(r"^PUBLISHED_WITH = '(.*)'$", script, re.M)
        assert stamp and f"numpy {version('numpy')}" in stamp.group(1), name
        if "import torch" in script:
            assert f"torch {version('torch')}" in stamp.group(1), (name, stamp.group(1))
        if "import jax" in script:
            assert f"jax {version('jax')}" in stamp.group(1), (name, stamp.group(1))
