"""``live-table``: a table whose every cell is the outcome of a probe run during the build.

A probe module (a plain Python file under ``docs/probes/``, importable on its own) defines

- ``ROWS`` and ``COLUMNS``: lists of labels;
- ``PROBES``: ``{(row, column): probe}``, where a probe is a function of no arguments that runs
  one construct under one execution mode and either returns ``(got, expected)`` (or
  ``(got, expected, note)``) to be judged, returns a single value to be shown as it is, or
  raises;
- optionally ``ROW_LINKS``: ``{row: docname}``, the page that shows the row in depth;
- optionally ``TEXT_COLUMNS``: ``{column: {row: text}}``, columns of words (a quotation, a
  correction) rather than probes; such a column is placed where it appears in ``COLUMNS``;
- optionally ``CLAIMS``: ``{(row, column): claim}``, what the page's prose says of a cell: an
  outcome kind (``"ok"``, ``"zero"``, ``"none"``, ``"nan"``, ``"wrong"``, ``"error"``), an
  exception class name, or a number for a shown value. A claim the probe contradicts is a
  build warning naming the module, the cell and both outcomes (an error under ``-W``).

The directive imports the module afresh, runs every probe, and renders the verdicts; cells
whose outcome needs words (an error, a wrong value) get a numbered note below the table, with
the real exception class and message. The module's source is shown, collapsed, under the
table. The page depends on the module, so editing a probe re-reads (re-runs) the page.

    ```{live-table} probes/jax_transforms.py
    :caption: JAX control-flow constructs under each transformation
    ```
"""

import importlib.util
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from docutils import nodes
from docutils.parsers.rst import directives
from recheck import report_failed_check
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)


@dataclass
class Outcome:
    kind: str  # "ok", "zero", "none", "nan", "wrong", "error" or "value"
    label: str  # what the cell shows
    note: str = ""  # the details a reader may need (error message, values)
    value: object = None  # a shown value, for claims about it


def claim_holds(claim, outcome: Outcome) -> bool:
    if isinstance(claim, str):
        return claim in (outcome.kind, outcome.label)
    return outcome.kind == "value" and np.allclose(_as_array(outcome.value), claim, equal_nan=True)


def _as_array(value):
    if hasattr(value, "detach"):  # a torch tensor
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=float)


def _short(value):
    array = _as_array(value)
    return f"{array.item():.6g}" if array.size == 1 else np.array2string(array, precision=4)


def judge(probe) -> Outcome:
    """Run one probe and classify what happened."""
    try:
        result = probe()
    except Exception as error:  # the outcome being reported, whatever it is
        message = str(error).strip().splitlines()[0] if str(error).strip() else ""
        return Outcome("error", type(error).__name__, f"{type(error).__name__}: {message}")
    if not isinstance(result, tuple):
        return Outcome("value", _short(result), value=result)
    got, expected, *remark = result
    outcome = _compare(got, expected)
    outcome.note = "; ".join(filter(None, [outcome.note, *remark]))
    return outcome


def _compare(got, expected) -> Outcome:
    if got is None:
        return Outcome("none", "None", f"no gradient (None); expected {_short(expected)}")
    got_array, expected_array = _as_array(got), _as_array(expected)
    if np.isnan(got_array).any():
        return Outcome("nan", "NaN", f"got {_short(got)}; expected {_short(expected)}")
    if np.allclose(got_array, expected_array, rtol=1e-5, atol=1e-6):
        return Outcome("ok", "correct")
    if np.allclose(got_array, 0.0) and not np.allclose(expected_array, 0.0):
        return Outcome("zero", "zero", f"got 0; expected {_short(expected)}")
    return Outcome("wrong", "different value", f"got {_short(got)}; expected {_short(expected)}")


SYMBOLS = {"ok": "✔", "zero": "0", "none": "∅", "nan": "NaN", "wrong": "≠", "error": "✘"}


def load_probes(path: Path):
    spec = importlib.util.spec_from_file_location(f"probes_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
        try:
            module = load_probes(Path(path))
        except Exception:
            location = self.get_location()
            report_failed_check(
                self.env,
                self.env.docname,
                "live-table: cannot load %s:\n%s",
                path,
                traceback.format_exc(),
                location=location,
            )
            return []
        started = time.perf_counter()
        outcomes = {key: judge(probe) for key, probe in module.PROBES.items()}
        logger.info(
            "live-table: %s: ran %d probes in %.2f seconds",
            relative,
            len(outcomes),
            time.perf_counter() - started,
        )
        for (row, column), claim in getattr(module, "CLAIMS", {}).items():
            outcome = outcomes[row, column]
            if not claim_holds(claim, outcome):
                report_failed_check(
                    self.env,
                    self.env.docname,
                    "live-table claim failed: %s, %s × %s: the page claims %r, the probe gave "
                    "%s (%s)",
                    relative,
                    row,
                    column,
                    claim,
                    outcome.label,
                    outcome.note,
                    location=self.get_location(),
                )
        notes = [(key, outcome) for key, outcome in outcomes.items() if outcome.note]
        note_numbers = {key: number for number, (key, _) in enumerate(notes, start=1)}
        table = self._table(module, outcomes, note_numbers)
        note_list = nodes.enumerated_list(classes=["live-table-notes"])
        for (row, column), outcome in notes:
            note_list += nodes.list_item(
                "",
                _paragraph(
                    nodes.strong(text=f"{row} × {column}: "), nodes.literal(text=outcome.note)
                ),
            )
        source = Path(path).read_text(encoding="utf-8")
        return [table, *([note_list] if notes else []), *self._collapsed_source(source, relative)]

    def _table(self, module, outcomes, note_numbers):
        table = nodes.table(classes=["live-table"])
        if "caption" in self.options:
            table += nodes.title(text=self.options["caption"])
        self.add_name(table)
        group = nodes.tgroup(cols=len(module.COLUMNS) + 1)
        table += group
        group.extend(nodes.colspec(colwidth=1) for _ in range(len(module.COLUMNS) + 1))
        head, body = nodes.thead(), nodes.tbody()
        group += [head, body]
        head += self._row([nodes.Text("")] + [nodes.Text(c) for c in module.COLUMNS])
        links = getattr(module, "ROW_LINKS", {})
        text_columns = getattr(module, "TEXT_COLUMNS", {})
        for row in module.ROWS:
            cells = [self._row_label(row, links.get(row))]
            for column in module.COLUMNS:
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


def setup(app):
    app.setup_extension("recheck")
    app.add_directive("live-table", LiveTable)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
