"""Live tables are computed by their probes at build time, and every row links to evidence."""

from urllib.parse import urlparse

from bs4 import BeautifulSoup
from conftest import copy_of_built_site, run_sphinx

SUMMARY = "summary.html"
COMPILERS = "guide/compilers.html"


def cell(soup, caption_word, row, column):
    """The text of one cell of the live table whose caption contains ``caption_word``."""
    table = next(t for t in soup.select("table.live-table") if caption_word in t.caption.text)
    columns = [th.get_text(strip=True) for th in table.select("thead th")]
    for tr in table.select("tbody tr"):
        cells = tr.find_all("td")
        if cells[0].get_text(strip=True) == row:
            return cells[columns.index(column)].get_text(" ", strip=True)
    raise KeyError(row)


def test_summary_table_has_every_row_and_column_computed(built_site):
    table = built_site.page(SUMMARY).select_one("table.live-table")
    rows = table.select("tbody tr")
    columns = table.select("thead th")[1:]
    assert len(rows) >= 11 and len(columns) >= 7
    for row in rows:
        verdicts = [td.get_text(strip=True) for td in row.find_all("td")[1:]]
        assert all(verdicts) and "—" not in verdicts, row.get_text(" ", strip=True)


def test_every_summary_row_links_to_an_existing_example(built_site):
    for row in built_site.page(SUMMARY).select("table.live-table tbody tr"):
        link = row.find("td").find("a")
        assert link is not None, f"row without a link: {row.find('td').get_text(strip=True)}"
        target = (built_site.html / urlparse(link["href"]).path).resolve()
        assert target.is_file() and "auto_examples" in target.parts, link["href"]
        example = BeautifulSoup(target.read_text(encoding="utf-8"), "html.parser")
        assert example.select("div.sphx-glr-script-out"), f"{target} shows no executed output"


def test_changing_a_probe_changes_the_rendered_cell(built_site, tmp_path):
    before = cell(built_site.page(COMPILERS), "JAX", "Python for", "jit")
    assert "correct" in before
    root = copy_of_built_site(built_site, tmp_path / "variant")
    with (root / "docs" / "probes" / "jax_transforms.py").open("a") as probes:
        probes.write('\nPROBES["Python for", "jit"] = lambda: (1.0, 2.0)  # a changed outcome\n')
    result = run_sphinx(root)
    assert result.returncode == 0, result.stdout[-4000:]
    page = BeautifulSoup((root / "_build/html" / COMPILERS).read_text(), "html.parser")
    after = cell(page, "JAX", "Python for", "jit")
    assert "different value" in after and after != before


def test_a_contradicted_claim_fails_the_build_and_names_it(built_site, tmp_path):
    root = copy_of_built_site(built_site, tmp_path / "variant")
    with (root / "docs" / "probes" / "kink_derivatives.py").open("a") as probes:
        probes.write('\nCLAIMS[next(iter(CLAIMS))] = 12345.0  # a claim no framework makes\n')
    result = run_sphinx(root)
    assert result.returncode != 0
    assert "live-table claim failed" in result.stdout and "kink_derivatives.py" in result.stdout
