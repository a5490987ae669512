"""What changed across releases, rendered from the release record at build time.

``nox -s releases`` builds the site under several torch and jax releases and commits each
build's claims record (``claims_record``) as ``docs/releases/<torch>_<jax>.json``. This
extension reads those files; it never runs a framework.

- ``{release-changes}`` renders every claim whose outcome differs between records: one table
  for the torch releases run with the same jax, one for the jax releases run with the same
  torch, each claim with its outcome under every release and the two recorded releases the
  change lies between (the releases between them were not built).
- ``{release-change} <claim id>`` is the note a page puts where it shows a behaviour that
  changed: "Changed between torch 2.13.0 and torch 2.14.1" with the outcomes from the record.
  A claim that is not in the record, or whose outcome did not change, fails the build.

Pages using either depend on the record files, so a new record re-renders them.
"""

import json
from pathlib import Path

from docutils import nodes
from packaging.version import Version
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)
FRAMEWORKS = ("torch", "jax")


def load_records(folder: Path) -> list[dict]:
    """Every record in ``folder``, ordered by torch, then jax release."""
    records = [json.loads(path.read_text(encoding="utf-8")) for path in folder.glob("*.json")]
    for record in records:
        record["outcomes"] = {claim["id"]: claim for claim in record["claims"]}
    return sorted(records, key=lambda r: tuple(Version(r["versions"][f]) for f in FRAMEWORKS))


def label(record: dict, framework: str | None = None) -> str:
    names = [framework] if framework else FRAMEWORKS
    return ", ".join(f"{name} {record['versions'][name]}" for name in names)


def between(members: list[dict], changed: int, framework: str) -> str:
    """The two recorded releases a change lies between: releases in between were not built."""
    return f"{label(members[changed - 1], framework)} and {label(members[changed], framework)}"


def series(records: list[dict]) -> list[tuple[str, str, list[dict]]]:
    """``(framework that varies, the other one's release, records)`` for every group of two or
    more records that differ only in one framework's release."""
    groups = []
    for varying, fixed in [("torch", "jax"), ("jax", "torch")]:
        releases = sorted({r["versions"][fixed] for r in records}, key=Version)
        for release in releases:
            members = [r for r in records if r["versions"][fixed] == release]
            if len({r["versions"][varying] for r in members}) > 1:
                members.sort(key=lambda r: Version(r["versions"][varying]))
                groups.append((varying, f"{fixed} {release}", members))
    return groups


def changes(members: list[dict]) -> list[tuple[str, list[str], int]]:
    """``(claim id, outcome per record, index of the first record that changed it)``, for
    every claim whose outcome is not the same in all ``members``. A claim some record lacks
    (added to the site after that record was made) is not compared."""
    ids = sorted(set.intersection(*(set(r["outcomes"]) for r in members)))
    found = []
    for claim_id in ids:
        outcomes = [_outcome(r, claim_id) for r in members]
        if len(set(outcomes)) > 1:
            changed = next(i for i in range(1, len(outcomes)) if outcomes[i] != outcomes[i - 1])
            found.append((claim_id, outcomes, changed))
    return found


def _outcome(record: dict, claim_id: str) -> str:
    return record["outcomes"][claim_id]["outcome"]


class ReleaseDirective(SphinxDirective):
    def records(self) -> list[dict]:
        folder = Path(self.env.srcdir) / self.config.release_record_folder
        for path in sorted(folder.glob("*.json")):
            self.env.note_dependency(str(path))
        self.env.note_dependency(__file__)
        return load_records(folder)

    def doc_link(self, page: str, label_node):
        """A link to the site's page ``page`` (a docname), showing ``label_node``."""
        reference = addnodes.pending_xref(
            "", refdomain="std", reftype="doc", reftarget="/" + page, refexplicit=True,
            refdoc=self.env.docname,
        )  # fmt: skip
        reference += label_node
        return reference

    def claim_link(self, claim_id: str, page: str | None):
        paragraph = nodes.paragraph()
        if page is None:
            paragraph += nodes.literal(text=claim_id)
            return paragraph
        reference = self.doc_link(page, nodes.literal(text=claim_id))
        paragraph += reference
        return paragraph

    def fail(self, message: str, *args):
        logger.warning(message, *args, location=self.get_location())


class ReleaseChanges(ReleaseDirective):
    """The tables of every changed outcome."""

    def run(self):
        records = self.records()
        if not records:
            self.fail("release-changes: no records in %s", self.config.release_record_folder)
            return []
        result = [self._record_list(records)]
        for varying, fixed, members in series(records):
            found = changes(members)
            title = f"{varying} releases, each with {fixed}: {len(found)} claims changed"
            result.append(nodes.rubric(text=title))
            if found:
                result.append(self._table(varying, members, found))
        return result

    def _record_list(self, records):
        items = nodes.bullet_list(classes=["release-records"])
        newest = set(records[-1]["outcomes"]) if records else set()
        for record in records:
            failing = sum(not claim["holds"] for claim in record["claims"])
            missing = len(newest - set(record["outcomes"]))
            text = (
                f"{label(record)}: Python {record['versions']['Python']}, {record['platform']}, "
                f"run on {record['date']}; {len(record['claims'])} claims, "
                f"{failing} not as this site states them"
                + (
                    f"; {missing} claims of the newest record were not yet on the site"
                    if missing
                    else ""
                )
            )
            items += nodes.list_item("", nodes.paragraph(text=text))
        return items

    def _table(self, varying, members, found):
        table = nodes.table(classes=["release-changes"])
        group = nodes.tgroup(cols=len(members) + 2)
        table += group
        group.extend(nodes.colspec(colwidth=1) for _ in range(len(members) + 2))
        head, body = nodes.thead(), nodes.tbody()
        group += [head, body]
        titles = ["claim", *(label(r, varying) for r in members), "changed between"]
        head += self._row([nodes.paragraph(text=title) for title in titles])
        for claim_id, outcomes, changed in found:
            claim = next(r["outcomes"][claim_id] for r in members if claim_id in r["outcomes"])
            cells = [self.claim_link(claim_id, claim["page"])]
            cells += [nodes.paragraph("", "", nodes.literal(text=o)) for o in outcomes]
            cells.append(nodes.paragraph(text=between(members, changed, varying)))
            body += self._row(cells)
        return table

    @staticmethod
    def _row(cells):
        row = nodes.row()
        for cell in cells:
            row += nodes.entry("", cell)
        return row


class ReleaseChange(ReleaseDirective):
    """``{release-change} <claim id>``: where a page shows a behaviour a release changed."""

    required_arguments = 1
    final_argument_whitespace = True

    def run(self):
        claim_id = " ".join(self.arguments[0].split())  # an argument may wrap in reST
        for varying, _fixed, members in series(self.records()):
            for found_id, outcomes, changed in changes(members):
                if found_id == claim_id:
                    return [self._note(varying, members, outcomes, changed)]
        self.fail("release-change: %r changed in no release of the record", claim_id)
        return []

    def _note(self, varying, members, outcomes, changed):
        note = nodes.admonition(classes=["release-change"])
        note += nodes.title(text=f"Changed between {between(members, changed, varying)}")
        paragraph = nodes.paragraph()
        for index, (record, outcome) in enumerate(zip(members, outcomes, strict=True)):
            paragraph += nodes.Text(("; " if index else "") + f"{label(record, varying)}: ")
            paragraph += nodes.literal(text=outcome)
        reference = self.doc_link("releases", nodes.inline(text="release record"))
        paragraph += [nodes.Text(" (from the "), reference, nodes.Text(").")]
        note += paragraph
        return note


def setup(app):
    app.add_config_value("release_record_folder", "releases", "env")
    app.add_directive("release-changes", ReleaseChanges)
    app.add_directive("release-change", ReleaseChange)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
