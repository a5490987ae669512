"""``nox -s upgrade`` reports each claim a new release changes: the report logic, on a tiny
site where one claim of each kind no longer holds."""

import upgrade_report

from .conftest import build


def test_each_kind_of_changed_claim_is_reported_with_old_and_new(tiny_site):
    result = build(tiny_site("upgrade"), nb_execution_raise_on_error=False)  # as the session
    changes = upgrade_report.parse(result.warnings + result.status)
    found = {change.kind: change for change in changes}
    assert sorted(found) == ["doctest", "example", "notebook cell", "table cell"], changes
    assert len(changes) == 4, changes

    cell = found["table cell"]
    assert (cell.where, cell.old, cell.new) == ("probes/arithmetic.py: square × at 3", "10", "9")
    doctest = found["doctest"]
    assert doctest.where.endswith("index.md:8: >>> round(2 ** 0.5, 3)"), doctest
    assert (doctest.old, doctest.new) == ("1.415", "1.414")
    example = found["example"]
    assert example.where == "examples/plot_claim.py", example
    assert example.new == "AssertionError: 6 * 8 gave 48, expected 42", example
    notebook = found["notebook cell"]
    assert notebook.where.endswith("notebook.md: halves = [1 / 2, 1 / 4] ..."), notebook
    assert notebook.new == "AssertionError: the halves sum to 0.75", notebook

    report = upgrade_report.render(changes, ["numpy==99.0"])
    assert report.startswith("# Upgrade report: numpy==99.0\n\n4 claim(s) changed."), report
    assert "| table cell | probes/arithmetic.py: square × at 3 | 10 | 9 |" in report, report


def test_a_build_where_every_claim_holds_reports_nothing(tiny_site):
    result = build(tiny_site("live-table"))
    assert result.statuscode == 0, result.warnings
    assert upgrade_report.parse(result.warnings + result.status) == []
    assert "Nothing changed" in upgrade_report.render([], ["jax==0.10.1"])


def test_candidate_pins_replace_the_pinned_ones():
    pinned = "# comment\ntorch==2.13.0\njax==0.10.2\njaxlib==0.10.2\nnumpy==2.4.6\n"
    assert upgrade_report.with_candidates(pinned, ["jax==0.10.1", "jaxlib==0.10.1"]) == (
        "# comment\ntorch==2.13.0\njax==0.10.1\njaxlib==0.10.1\nnumpy==2.4.6\n"
    )
