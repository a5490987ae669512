"""``nox -s upgrade`` reports each claim a new release changes, from the build's claims record:
the report logic, on a tiny site where one claim of each kind no longer holds."""

import json
import shutil

import candidate_build
import upgrade_report
from site_build import CLAIMS_RECORD

from .conftest import build

# As candidate_build builds: every notebook cell runs, a failing one is recorded, not fatal.
RECORD_EVERYTHING = {"nb_execution_raise_on_error": False, "nb_execution_allow_errors": True}


def record_of(site) -> dict:
    return json.loads((site / CLAIMS_RECORD).read_text(encoding="utf-8"))


def test_each_kind_of_changed_claim_is_reported_with_old_and_new(tiny_site):
    site = tiny_site("upgrade")
    build(site, **RECORD_EVERYTHING)
    record = record_of(site)
    shutil.rmtree(site)  # the tool reads the record after its temporary copy is gone
    changes = {claim["kind"]: claim for claim in upgrade_report.changed(record)}
    assert sorted(changes) == ["doctest", "example", "notebook cell", "table cell"], changes
    assert len(upgrade_report.changed(record)) == 4, upgrade_report.changed(record)

    cell = changes["table cell"]
    assert cell["id"] == "table cell: probes/arithmetic.py: square × at 3", cell
    assert (cell["expected"], cell["outcome"]) == ("10", "9"), cell
    doctest = changes["doctest"]
    assert doctest["id"] == "doctest: index: >>> round(2 ** 0.5, 3)", doctest
    assert (doctest["expected"], doctest["outcome"]) == ("1.415", "1.414"), doctest
    example = changes["example"]
    assert example["id"] == "example: examples/plot_claim.py", example
    assert example["outcome"] == "AssertionError: 6 * 8 gave 48, expected 42", example
    notebook = changes["notebook cell"]
    assert notebook["id"] == "notebook cell: notebook § A notebook, cell 1", notebook
    assert notebook["outcome"] == "AssertionError: the halves sum to 0.75", notebook

    report = upgrade_report.render(record, ["numpy==99.0"])
    assert report.startswith("# Upgrade report: numpy==99.0\n\n4 of 6 claim(s) changed."), report
    row = "| table cell | table cell: probes/arithmetic.py: square × at 3 | 10 | 9 |"
    assert row in report, report
    # The failing cell is reported with its own traceback: its line, its assertion's message.
    notebook_section = report.split("## notebook cell: notebook § A notebook, cell 1")[1]
    assert 'assert sum(halves) == 0.5, f"the halves sum to {sum(halves)}"' in notebook_section
    assert "AssertionError: the halves sum to 0.75" in notebook_section, notebook_section


def test_a_build_where_every_claim_holds_reports_nothing(tiny_site):
    site = tiny_site("live-table")
    result = build(site)
    assert result.statuscode == 0, result.warnings
    record = record_of(site)
    assert record["claims"], "the tiny site's table cells are claims"
    assert upgrade_report.changed(record) == []
    assert "Nothing changed" in upgrade_report.render(record, ["jax==0.12.2"])


def test_candidate_pins_replace_the_pinned_ones():
    pinned = "# comment\ntorch==2.15.0\njax==0.12.1\njaxlib==0.12.1\nnumpy==2.5.5\n"
    assert candidate_build.with_candidates(pinned, ["jax==0.11.2", "jaxlib==0.11.2"]) == (
        "# comment\ntorch==2.15.0\njax==0.11.2\njaxlib==0.11.2\nnumpy==2.5.5\n"
    )


def test_another_torch_release_brings_its_own_dependencies():
    pinned = "torch==2.15.0\nnumpy==2.5.5\n# torch's CUDA build, and:\nnvidia-cublas==13.4\n"
    assert candidate_build.with_candidates(pinned, ["torch==2.13.0"]) == (
        "torch==2.13.0\nnumpy==2.5.5\n# torch's CUDA build, and:\n"
    )
    assert "nvidia-cublas==13.4" in candidate_build.with_candidates(pinned, ["jax==0.11.2"])
