"""What a torch or jax upgrade would change on the site (run by ``nox -s upgrade``).

    nox -s upgrade -- torch==2.16.0
    nox -s upgrade -- jax==0.13.0 jaxlib==0.13.0

Builds a copy of the site with the candidates installed (``candidate_build``: a temporary
virtual environment, every claim run to its end) and reports, from that build's claims record,
every claim whose outcome is not the one the site states: a live-table cell, a prose doctest,
a gallery example, a notebook cell (the error index's checks among them), each with what the
site states, what the candidates gave and, for a failure, its own traceback. The report is
printed and written to ``_build/upgrade-report.md``; the exit status is 1 when anything changed.
"""

import sys

from candidate_build import ROOT, build_record


def changed(record: dict) -> list[dict]:
    """The claims whose outcome is not the one the site states."""
    return [claim for claim in record["claims"] if not claim["holds"]]


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ⏎ ")


def render(record: dict, candidates: list[str]) -> str:
    versions = ", ".join(f"{name} {value}" for name, value in record["versions"].items())
    title = f"# Upgrade report: {' '.join(candidates) or 'the pinned releases'}\n\n"
    footer = f"\nBuilt with {versions} on {record['platform']}.\n"
    claims = changed(record)
    if not claims:
        return title + "Nothing changed: every claim holds with these releases.\n" + footer
    lines = [
        f"{len(claims)} of {len(record['claims'])} claim(s) changed.\n",
        "| claim | where | site (old) | now (new) |",
        "| --- | --- | --- | --- |",
    ]
    for claim in claims:
        cells = [claim["kind"], claim["id"], claim["expected"], claim["outcome"]]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    for claim in claims:
        if claim.get("detail"):
            lines += ["", f"## {claim['id']}", "", "```", claim["detail"].rstrip(), "```"]
    return title + "\n".join(lines) + "\n" + footer


def main(candidates: list[str]) -> int:
    record = build_record(candidates)
    report = render(record, candidates)
    (ROOT / "_build").mkdir(exist_ok=True)
    (ROOT / "_build" / "upgrade-report.md").write_text(report, encoding="utf-8")
    print(report)
    return 1 if changed(record) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
