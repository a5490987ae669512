"""``live-table``: a table whose every cell is the outcome of a probe run during the build.

A probe module (a plain Python file under ``docs/probes/``, importable on its own) defines

- ``ROWS`` and ``COLUMNS``: lists of labels;
- ``PROBES``: ``{(row, column): probe}``, where a probe is a function of no arguments (see
  ``probe_outcomes.py`` for what it returns and how that is judged);
- ``EXPECTED``: ``{(row, column): expectation}`` for every probed cell, keyed by names: the
  outcome the page publishes, which its prose relies on. A cell whose outcome is not the
  expected one, a cell without an expectation, and a probe that raises an exception its cell
  does not expect each fail the build, naming the module, the row, the column, and the
  expected and actual outcomes (with the traceback of an exception);
- optionally ``ROW_LINKS``: ``{row: docname}``, the page that shows the row in depth;
- optionally ``TEXT_COLUMNS``: ``{column: {row: text}}``, columns of words (a quotation, a
  correction) rather than probes; such a column is placed where it appears in ``COLUMNS``.

The directive appends the table runner (``probe_outcomes.py``) to the module, runs that script
on its own (``python -I``, in an empty folder, as a reader runs the download) and renders the
outcomes it writes; cells whose outcome needs words (an error, a wrong value) get a numbered
note below the table with the real exception class and message. Under the table: the versions
the probes ran with, the download of that script (``python summary.py`` prints the table for
the reader's installation and the cells that differ from this page), and the module's source,
collapsed. The page depends on the module, so editing a probe re-reads (re-runs) the page.

Outcomes are kept in the doctree folder (``.doctrees/live-tables/``), keyed by the script and
the execution fingerprint (``build_info.py``: versions and gallery settings): a page read
again with the same probes and versions (a moved checkout, ``-E``) reuses them. Only a table
whose every cell met its expectation is kept, so a failed table runs again.

    ```{live-table} probes/jax_transforms.py
    :caption: JAX control-flow constructs under each transformation
    ```
"""

import ast
import hashlib
import json
import tempfile
import time
from pathlib import Path

import probe_outcomes
from claims_record import exception_summary, note_claim, note_run
from docutils import nodes
from docutils.parsers.rst import directives
from probe_outcomes import RAN_EAGERLY, SYMBOLS, Outcome, shown
from recheck import report_failed_check
from site_build import run_alone
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)
DOWNLOADS = "_downloads/live-tables"  # in the output folder
RUNNER = Path(probe_outcomes.__file__)
CACHE = "live-tables"  # in the doctree folder, Sphinx's own cache


def run_download(script: str, filename: str) -> tuple[dict | None, str]:
    """Run ``script`` as a reader runs the download (``site_build.run_alone``: ``python -I`` in
    an empty folder). Returns what it wrote (None if it wrote nothing) and its stderr."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / filename).write_text(script, encoding="utf-8")
        result = run_alone([filename, "--json", "outcomes.json"], Path(folder), timeout=None)
        written = Path(folder) / "outcomes.json"
        if result.returncode != 0 or not written.exists():
            return None, f"exit status {result.returncode}\n{result.stderr[-4000:]}"
        return json.loads(written.read_text(encoding="utf-8")), result.stderr


def standalone_script(probe_source: str, filename: str, published_with: str) -> str:
    """The probe module with the table runner appended: a file that runs on its own."""
    runner = RUNNER.read_text(encoding="utf-8")
    clashes = _top_level_names(probe_source) & _top_level_names(runner)
    if clashes:
        raise ValueError(f"names defined by both the probes and {RUNNER.name}: {clashes}")
    return (
        f"{probe_source.rstrip()}\n\n\n"
        f"# {'-' * 90}\n"
        f"# Appended by the site's build ({RUNNER.name}) so that this file runs on its own:\n"
        f"#     python {filename}\n"
        f"# prints this table for your installation and lists the cells that differ from\n"
        f"# the published site.\n"
        f"PUBLISHED_WITH = {published_with!r}\n\n"
        f"{runner.rstrip()}\n\n\n"
        f'if __name__ == "__main__":\n'
        f"    sys.exit(main(globals()))\n"
    )


def _top_level_names(source: str) -> set:
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def _paragraph(*children):
    paragraph = nodes.paragraph()
    paragraph.extend(children)
    return paragraph


class LiveTable(SphinxDirective):
    required_arguments = 1
    option_spec = {"caption": directives.unchanged, "name": directives.unchanged}

    def run(self):
        relative, path = self.env.relfn2path(self.arguments[0], self.env.docname)
        self.env.note_dependency(relative)
        self.env.note_dependency(__file__)  # a change to the renderer re-renders the table
        self.env.note_dependency(str(RUNNER))
        source = Path(path).read_text(encoding="utf-8")
        filename = Path(path).name
        try:
            script = standalone_script(source, filename, "")
        except ValueError as error:
            self._fail("live-table: %s: %s", relative, error)
            return []
        data = self._outcomes(relative, filename, script)
        if data is None:
            return []
        note_claim(self.env, self.env.docname, "table", relative, "runs", "runs", True)
        outcomes = {(row, column): Outcome(**o) for row, column, o in data["outcomes"]}
        expected = {(row, column): words for row, column, words in data["expected"]}
        failed = {(row, column) for row, column, _ in data["differences"]}
        for (row, column), outcome in outcomes.items():
            note_claim(
                self.env, self.env.docname, "table cell", f"{relative}: {row} × {column}",
                shown(outcome), expected.get((row, column)), (row, column) not in failed,
                outcome.traceback,
            )  # fmt: skip
        for row, column, expectation in data["differences"]:
            self._report_difference(relative, row, column, expectation, outcomes[row, column])
        for row, column in data["unprobed"]:
            self._fail(
                "live-table: %s, %s × %s: an expectation with no probe", relative, row, column
            )
        ran_with = data["environment"]
        download = self._download(filename, standalone_script(source, filename, ran_with))
        notes = [(key, outcome) for key, outcome in outcomes.items() if outcome.note]
        note_numbers = {key: number for number, (key, _) in enumerate(notes, start=1)}
        table = self._table(data, outcomes, note_numbers)
        note_list = nodes.enumerated_list(classes=["live-table-notes"])
        for (row, column), outcome in notes:
            note_list += nodes.list_item(
                "",
                _paragraph(
                    nodes.strong(text=f"{row} × {column}: "), nodes.literal(text=outcome.note)
                ),
            )
        provenance = _paragraph(
            nodes.Text(f"Computed while this page was built, with {ran_with}. "),
            nodes.Text("Run it on your own installation: "),
            download,
            nodes.Text(" prints this table and the cells where your results differ."),
        )
        provenance["classes"].append("live-table-provenance")
        return [
            table,
            *([note_list] if notes else []),
            provenance,
            *self._collapsed_source(source, relative),
        ]

    def _outcomes(self, relative, filename, script) -> dict | None:
        """What the script writes, run now or reused from a build with the same script and
        versions; None (and the build fails) if it does not run."""
        fingerprint = getattr(self.config, "execution_fingerprint", "")
        key = hashlib.sha256(f"{fingerprint}\n{script}".encode()).hexdigest()[:24]
        kept = Path(self.env.doctreedir) / CACHE / f"{key}.json"
        self.env.live_table_keys = getattr(self.env, "live_table_keys", {})
        self.env.live_table_keys[self.env.docname, filename] = key
        if kept.exists():
            data = json.loads(kept.read_text(encoding="utf-8"))
            logger.info("live-table: %s: reused the outcomes of an identical run", relative)
            note_run(self.env, self.env.docname, "live table", relative, False, None)
            return data
        started = time.perf_counter()
        data, stderr = run_download(script, filename)
        if data is None:  # the table as a whole is a claim: its cells are not there to compare
            note_claim(
                self.env, self.env.docname, "table", relative,
                exception_summary(stderr) or stderr[-300:], "runs", False, stderr,
            )  # fmt: skip
            self._fail("live-table: %s does not run on its own: %s", relative, stderr)
            return None
        seconds = time.perf_counter() - started
        note_run(self.env, self.env.docname, "live table", relative, True, seconds)
        logger.info(
            "live-table: %s: ran %d probes in %.2f seconds",
            relative,
            len(data["outcomes"]),
            seconds,
        )
        if not data["differences"] and not data["unprobed"]:
            kept.parent.mkdir(parents=True, exist_ok=True)
            kept.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return data

    def _fail(self, message, *args):
        report_failed_check(
            self.env, self.env.docname, message, *args, location=self.get_location()
        )

    def _report_difference(self, relative, row, column, expectation: str | None, outcome):
        details = f" ({outcome.note})" if outcome.note else ""
        details += f"\n{outcome.traceback}" if outcome.traceback else ""
        if expectation is None:
            self._fail(
                "live-table: %s, %s × %s has no expected outcome; the probe gave %s%s",
                relative,
                row,
                column,
                shown(outcome),
                details,
            )
            return
        self._fail(
            "live-table expectation failed: %s, %s × %s: expected %s, the probe gave %s%s",
            relative,
            row,
            column,
            expectation,
            shown(outcome),
            details,
        )

    def _download(self, filename: str, script: str):
        """A link to ``script``, written to the output folder when the build finishes."""
        self.env.live_table_downloads = getattr(self.env, "live_table_downloads", {})
        self.env.live_table_downloads[filename] = (self.env.docname, script)
        depth = self.env.docname.count("/")
        reference = nodes.reference(
            "", "", refuri="../" * depth + f"{DOWNLOADS}/{filename}", classes=["download"]
        )
        reference += nodes.literal(text=filename)
        return reference

    def _table(self, data, outcomes, note_numbers):
        table = nodes.table(classes=["live-table"])
        if "caption" in self.options:
            table += nodes.title(text=self.options["caption"])
        self.add_name(table)
        group = nodes.tgroup(cols=len(data["columns"]) + 1)
        table += group
        group.extend(nodes.colspec(colwidth=1) for _ in range(len(data["columns"]) + 1))
        head, body = nodes.thead(), nodes.tbody()
        group += [head, body]
        head += self._row([nodes.Text("")] + [nodes.Text(c) for c in data["columns"]])
        links, text_columns = data["row_links"], data["text_columns"]
        for row in data["rows"]:
            cells = [self._row_label(row, links.get(row))]
            for column in data["columns"]:
                if column in text_columns:
                    cells.append(nodes.Text(text_columns[column].get(row, "")))
                else:
                    outcome = outcomes.get((row, column))
                    cells.append(self._cell(outcome, note_numbers.get((row, column))))
            body += self._row(cells)
        return table

    @staticmethod
    def _row(contents):
        row = nodes.row()
        for content in contents:
            row += nodes.entry(
                "", _paragraph(content) if isinstance(content, nodes.Text) else content
            )
        return row

    def _row_label(self, row, docname):
        if not docname:
            return nodes.Text(row)
        reference = addnodes.pending_xref(
            "",
            refdomain="std",
            reftype="doc",
            reftarget="/" + docname.lstrip("/"),
            refexplicit=True,
            refdoc=self.env.docname,
        )
        reference += nodes.inline(text=row)
        return _paragraph(reference)

    @staticmethod
    def _cell(outcome, note_number):
        if outcome is None:
            return nodes.Text("—")
        paragraph = _paragraph()
        if outcome.kind == "value":
            paragraph += nodes.inline(text=outcome.label)
        elif outcome.kind == "error":
            paragraph += nodes.inline(
                text=f"{SYMBOLS['error']} {outcome.label}", classes=["outcome-error"]
            )
        else:  # the symbol says it; screen readers and the site search still get the words
            symbol = SYMBOLS[outcome.kind]
            paragraph += nodes.inline(text=symbol, classes=[f"outcome-{outcome.kind}"])
            paragraph += nodes.inline(text=f" {outcome.label}", classes=["visually-hidden"])
            if outcome.ran_eagerly:
                paragraph += nodes.inline(text=f" ({RAN_EAGERLY})", classes=["outcome-fallback"])
        if note_number is not None:
            paragraph += nodes.superscript(text=f" [{note_number}]")
        return paragraph

    @staticmethod
    def _collapsed_source(source, relative):
        block = nodes.literal_block(source, source, language="python")
        return [
            nodes.raw(
                "",
                f'<details class="live-table-source"><summary>The probes '
                f"(<code>{relative}</code>), run during the build</summary>",
                format="html",
            ),
            block,
            nodes.raw("", "</details>", format="html"),
        ]


def forget_downloads(app, env, docname):
    downloads = getattr(env, "live_table_downloads", {})
    for filename in [name for name, (doc, _) in downloads.items() if doc == docname]:
        del downloads[filename]
    keys = getattr(env, "live_table_keys", {})
    for page_and_file in [key for key in keys if key[0] == docname]:
        del keys[page_and_file]


def write_downloads(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    folder = Path(app.outdir) / DOWNLOADS
    folder.mkdir(parents=True, exist_ok=True)
    for filename, (_, script) in getattr(app.env, "live_table_downloads", {}).items():
        (folder / filename).write_text(script, encoding="utf-8")
    in_use = {f"{key}.json" for key in getattr(app.env, "live_table_keys", {}).values()}
    kept = Path(app.doctreedir) / CACHE
    for stale in kept.glob("*.json") if kept.exists() else []:
        if stale.name not in in_use:
            stale.unlink()


def setup(app):
    app.setup_extension("recheck")
    app.setup_extension("claims_record")
    app.add_directive("live-table", LiveTable)
    app.connect("env-purge-doc", forget_downloads)
    app.connect("build-finished", write_downloads)
    return {"parallel_read_safe": False, "parallel_write_safe": True}
