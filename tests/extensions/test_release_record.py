"""The page "What changed across releases" and the notes where a changed behaviour is shown,
rendered from release records (here four small ones: torch 2.13.0, 2.14.1 and 2.15.0 with jax
0.12.1; jax 0.10.2 with torch 2.15.0)."""

from .conftest import build


def rows(table) -> list[list[str]]:
    return [[cell.get_text(" ", strip=True) for cell in row.select("td")] for row in table("tr")]


def test_every_changed_outcome_is_listed_with_the_release_that_changed_it(tiny_site):
    result = build(tiny_site("release-record"))
    assert result.statuscode == 0, result.warnings
    page = result.page("releases")
    rubrics = [rubric.get_text() for rubric in page.select("p.rubric")]
    assert rubrics == [
        "torch releases, each with jax 0.12.1: 2 claims changed",
        "jax releases, each with torch 2.15.0: 1 claims changed",
    ], rubrics
    torch_table, jax_table = page.select("table.release-changes")
    assert rows(torch_table)[1:] == [
        ["doctest: guide: >>> print(warning)", "DeprecationWarning", "FutureWarning",
         "FutureWarning", "torch 2.13.0 and torch 2.14.1"],
        ["table cell: probes/kinks.py: clamp at 1 × PyTorch", "1", "0", "0",
         "torch 2.13.0 and torch 2.14.1"],
    ]  # fmt: skip
    assert rows(jax_table)[1:] == [
        ["notebook cell: errors § vmap, cell 2",
         "AssertionError: 'VmapTracer' is not in the message", "runs",
         "jax 0.10.2 and jax 0.12.1"],
    ]  # fmt: skip
    assert "example: examples/plot_same.py" not in page.get_text(), "an unchanged claim listed"
    records = [item.get_text(" ", strip=True) for item in page.select("ul.release-records li")]
    assert records[0].startswith("torch 2.13.0, jax 0.12.1: Python 3.12.1, Linux x86_64"), records
    assert len(records) == 4, records
    assert "4 claims, 2 not as this site states them" in records[0], records


def test_a_page_notes_where_a_behaviour_changed_from_the_record(tiny_site):
    result = build(tiny_site("release-record"))
    note = result.page("page").select_one("div.release-change")
    assert note is not None, result.page("page")
    title = note.select_one(".admonition-title").get_text()
    assert title == "Changed between torch 2.13.0 and torch 2.14.1", title
    text = " ".join(note.get_text().split())
    assert "torch 2.13.0: 1; torch 2.14.1: 0; torch 2.15.0: 0 (from the release record)." in text


def test_a_note_on_a_claim_that_never_changed_fails_the_build(tiny_site):
    site = tiny_site("release-record")
    page = site / "page.md"
    page.write_text(page.read_text().replace("clamp at 1 × PyTorch", "clamp at 2 × PyTorch"))
    result = build(site)
    assert result.statuscode != 0
    assert "'table cell: probes/kinks.py: clamp at 2 × PyTorch' changed in no release" in (
        result.warnings + result.error
    ), result.warnings
