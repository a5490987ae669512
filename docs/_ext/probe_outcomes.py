"""What a live-table cell shows: run a probe, classify what happened, compare with what the
cell expects; and the same table printed in a terminal for a reader's own installation.

The download offered under every live table is its probe module with this file appended, so
that ``python summary.py`` runs on its own, with only the frameworks the probes import, and
prints the table for the reader's installation together with the cells that differ from the
published site. The site's build runs that very script (``python -I summary.py --json
outcomes.json``) and renders the table from what it writes: what the page shows is what the
download computes.

A probe is a function of no arguments. It returns ``(got, expected)`` or
``(got, expected, note)`` to be judged, or one value to be shown as it is, or it raises (its
note is then the exception's class and first line, and the probe's own words if it set
``error.probe_note`` before raising it again).
A note that begins with ``RAN_EAGERLY`` ("ran eagerly") says that the mode the column names did
not run: a compiler's backend failed and the code ran eagerly instead. The cell then says so
next to its outcome ("✔ correct (ran eagerly)"): the outcome is eager execution's, not the
compiler's.
An expected outcome (``EXPECTED[row, column]`` in a probe module) is one of:

- an outcome kind: ``"ok"``, ``"zero"`` (0 where the closed form is not), ``"none"`` (no
  gradient), ``"nan"``;
- ``("wrong", value)``: a value other than the closed form, namely ``value``;
- an exception class name, such as ``"TracerBoolConversionError"``;
- a number, for a cell that shows a value;
- ``(RAN_EAGERLY, expectation)``: an outcome kind or a wrong value, reached by running
  eagerly (a plain expectation is not met by an outcome that ran eagerly).

An exception is an outcome only where the cell expects that class; any other (a framework that
now raises something else) is reported with its traceback. A ``NameError`` or
``UnboundLocalError`` is a bug in the probe itself and is never an outcome, expected or not.
"""

import json
import platform
import sys
import traceback as _traceback
from dataclasses import dataclass

import numpy as np

SYMBOLS = {"ok": "✔", "zero": "0", "none": "∅", "nan": "NaN", "wrong": "≠", "error": "✘"}
PROBE_BUGS = ("NameError", "UnboundLocalError")  # never a framework's behaviour
LABELS = {"ok": "correct", "zero": "zero", "none": "None", "nan": "NaN"}  # the outcome kinds
RAN_EAGERLY = "ran eagerly"


@dataclass
class Outcome:
    kind: str  # "ok", "zero", "none", "nan", "wrong", "error" or "value"
    label: str  # what the cell shows
    note: str = ""  # the details a reader may need (error message, values)
    value: object = None  # the value shown, or the wrong value got
    traceback: str = ""  # for an exception
    ran_eagerly: bool = False  # the column's compiler fell back to eager execution


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
    except Exception as error:  # classified here; whether the cell expects it is decided later
        message = str(error).strip().splitlines()[0] if str(error).strip() else ""
        remark = getattr(error, "probe_note", "")  # a probe's own words on the exception
        return Outcome(
            "error",
            type(error).__name__,
            "; ".join(filter(None, [f"{type(error).__name__}: {message}", remark])),
            traceback=_traceback.format_exc(),
        )
    if not isinstance(result, tuple):
        return Outcome("value", _short(result), value=result)
    got, expected, *remark = result
    outcome = _compare(got, expected)
    outcome.note = "; ".join(filter(None, [outcome.note, *remark]))
    outcome.ran_eagerly = any(str(note).startswith(RAN_EAGERLY) for note in remark)
    return outcome


def _compare(got, expected) -> Outcome:
    if got is None:
        return Outcome("none", LABELS["none"], f"no gradient (None); expected {_short(expected)}")
    got_array, expected_array = _as_array(got), _as_array(expected)
    if np.isnan(got_array).any():
        return Outcome("nan", LABELS["nan"], f"got {_short(got)}; expected {_short(expected)}")
    if np.allclose(got_array, expected_array, rtol=1e-5, atol=1e-6):
        return Outcome("ok", LABELS["ok"])
    if np.allclose(got_array, 0.0) and not np.allclose(expected_array, 0.0):
        return Outcome("zero", LABELS["zero"], f"got 0; expected {_short(expected)}")
    note = f"got {_short(got)}; expected {_short(expected)}"
    return Outcome("wrong", "different value", note, value=got)


def _close(value, number) -> bool:
    return bool(np.allclose(_as_array(value), number, rtol=1e-5, atol=1e-6, equal_nan=True))


def meets(expectation, outcome: Outcome) -> bool:
    """Whether ``outcome`` is the one a cell expects (see the module's docstring)."""
    expects_eager_run = isinstance(expectation, tuple) and expectation[0] == RAN_EAGERLY
    if expects_eager_run != outcome.ran_eagerly:
        return False
    if expects_eager_run:
        expectation = expectation[1]
    if isinstance(expectation, tuple):
        kind, value = expectation
        return kind == "wrong" == outcome.kind and _close(outcome.value, value)
    if isinstance(expectation, str):
        if outcome.kind == "error":
            return expectation == outcome.label and outcome.label not in PROBE_BUGS
        return expectation in LABELS and expectation == outcome.kind
    return outcome.kind == "value" and _close(outcome.value, expectation)


def describe(expectation) -> str:
    """An expectation in the words of the table."""
    if isinstance(expectation, tuple) and expectation[0] == RAN_EAGERLY:
        return f"{describe(expectation[1])} ({RAN_EAGERLY})"
    if isinstance(expectation, tuple):
        return f"{SYMBOLS['wrong']} {_short(expectation[1])}"
    if isinstance(expectation, str):
        if expectation in LABELS:
            return " ".join(dict.fromkeys([SYMBOLS[expectation], LABELS[expectation]]))
        return f"{SYMBOLS['error']} {expectation}"
    return _short(expectation)


def shown(outcome: Outcome) -> str:
    """An outcome in the words of the table."""
    if outcome.kind == "value":
        return outcome.label
    if outcome.kind == "wrong":
        words = f"{SYMBOLS['wrong']} {_short(outcome.value)}"
    else:
        words = " ".join(dict.fromkeys([SYMBOLS[outcome.kind], outcome.label]))
    return f"{words} ({RAN_EAGERLY})" if outcome.ran_eagerly else words


def environment() -> str:
    """The versions and devices the probes ran with."""
    parts = [f"Python {platform.python_version()}"]
    if torch := sys.modules.get("torch"):
        device = "CUDA" if torch.cuda.is_available() else "CPU"
        parts.append(f"torch {torch.__version__} ({device})")
    if jax := sys.modules.get("jax"):
        parts.append(f"jax {jax.__version__} ({jax.default_backend().upper()})")
    parts.append(f"numpy {np.__version__}")
    return ", ".join(parts)


def run_table(probes: dict, expected: dict) -> tuple[dict, list]:
    """Outcomes of every probe, and the cells whose outcome is not the expected one, each as
    ``(row, column, expected, outcome)`` (``expected`` is None where the cell has none)."""
    outcomes, differences = {}, []
    for key, probe in probes.items():
        outcomes[key] = outcome = judge(probe)
        if key not in expected or not meets(expected[key], outcome):
            differences.append((*key, expected.get(key), outcome))
    return outcomes, differences


def main(probe_module: dict, argv: list | None = None) -> int:
    """Print the table for this installation; list the cells that differ from the site.
    With ``--json PATH``, write the outcomes there instead, for the site's build."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--json"]:
        write_json(probe_module, argv[1])
        return 0
    rows, columns = probe_module["ROWS"], probe_module["COLUMNS"]
    text_columns = probe_module.get("TEXT_COLUMNS", {})
    probed = [column for column in columns if column not in text_columns]
    print(f"Running {len(probe_module['PROBES'])} probes with {environment()}")
    outcomes, differences = run_table(probe_module["PROBES"], probe_module["EXPECTED"])
    grid = [["", *probed]]
    grid += [[row, *(shown(outcomes[row, column]) for column in probed)] for row in rows]
    widths = [max(len(line[i]) for line in grid) for i in range(len(grid[0]))]
    print()
    for line in grid:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
    print()
    published = probe_module.get("PUBLISHED_WITH", "the published site")
    print(f"{len(differences)} of {len(outcomes)} cells differ from the site ({published}).")
    for row, column, expectation, outcome in differences:
        site = describe(expectation) if expectation is not None else "(no expectation)"
        print(f"- {row} × {column}: the site shows {site}; here {shown(outcome)}")
        print(f"    {outcome.note}" if outcome.note else "", end="\n" if outcome.note else "")
    return 1 if differences else 0


def write_json(probe_module: dict, path: str):
    """Everything the build renders, as JSON: the layout, each cell's outcome, the cells whose
    outcome is not the expected one (with the expectation in words) and unprobed expectations."""
    expected = probe_module.get("EXPECTED", {})
    outcomes, differences = run_table(probe_module["PROBES"], expected)
    data = {
        "environment": environment(),
        "rows": probe_module["ROWS"],
        "columns": probe_module["COLUMNS"],
        "row_links": probe_module.get("ROW_LINKS", {}),
        "text_columns": probe_module.get("TEXT_COLUMNS", {}),
        "outcomes": [[*key, _plain(outcome)] for key, outcome in outcomes.items()],
        "expected": [[*key, describe(value)] for key, value in expected.items()],
        "differences": [
            [row, column, None if expectation is None else describe(expectation)]
            for row, column, expectation, _ in differences
        ],
        "unprobed": [list(key) for key in expected.keys() - probe_module["PROBES"].keys()],
    }
    with open(path, "w", encoding="utf-8") as file:
        json.dump(data, file, ensure_ascii=False)


def _plain(outcome: Outcome) -> dict:
    value = None if outcome.value is None else _as_array(outcome.value).tolist()
    return {**outcome.__dict__, "value": value}
