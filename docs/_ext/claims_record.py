"""The build's claims record: every claim the build checked, and its outcome, in one JSON file.

``_build/claims.json`` (beside ``html/``) is written when a build ends. The release record
(``nox -s releases``), the upgrade report and the build benchmark read it, never the log. A
claim is one of:

- ``example``: a gallery script, which holds when it runs to its end (its assertions hold).
  Read from sphinx-gallery's JUnit report; an example it did not run again (its source and
  the execution fingerprint are unchanged, see ``build_info``) passed when it last ran.
- ``table cell``: a live-table cell against its expected outcome (``live_tables``).
- ``doctest``: one ``>>>`` example of a prose page against its printed output
  (``prose_doctest``).
- ``notebook cell``: one code cell of a notebook page, from the executed notebook myst-nb keeps
  in its jupyter-cache: it holds when it raises exactly where the page says it does (a cell
  tagged ``raises-exception``). The error index's hidden checks are such cells.

Each claim has an ``id`` stable across releases (no line numbers), the ``page`` (docname) that
shows it, its ``outcome`` and ``expected`` outcome in words, whether it ``holds``, and, for a
failure, the ``detail`` (its traceback). Claims are kept in the environment per page, so a page
that is not read again keeps the claims of the build that read it. ``runs`` says what the build
executed and for how long.
"""

import json
import platform
import re
import sys
import time
import xml.etree.ElementTree as ElementTree
from datetime import UTC, datetime
from pathlib import Path

from build_info import build_folder, installed_versions
from relative_paths import relative
from site_build import CLAIMS_RECORD
from sphinx.util import logging

logger = logging.getLogger(__name__)
RECORD = Path(CLAIMS_RECORD).name  # in the build folder, beside the html output
ANSI = re.compile(r"\x1b\[[0-9;]*m")
EXCEPTION_LINE = re.compile(r"^\s*([A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt|Warning))\b")


# -- Collecting claims while pages are read ---------------------------------------------------
def note_claim(env, docname: str, kind: str, claim_id: str, outcome, expected, holds, detail=""):
    """Record one claim of ``docname`` (called by the extensions that check claims)."""
    if not hasattr(env, "claims"):
        env.claims = {}
    root = Path(env.config.claims_root)
    env.claims.setdefault(docname, []).append(
        {
            "id": f"{kind}: {claim_id}",
            "kind": kind,
            "page": docname,
            "outcome": relative(str(outcome), root),
            "expected": None if expected is None else relative(str(expected), root),
            "holds": bool(holds),
            **({"detail": relative(ANSI.sub("", detail), root)} if detail else {}),
        }
    )


def note_run(env, docname: str, kind: str, source: str, ran: bool, seconds: float | None):
    """Record that ``source`` was executed by this build (``ran``) or its outcomes reused."""
    if not hasattr(env, "claim_runs"):
        env.claim_runs = {}
    run = {"kind": kind, "source": source, "ran": ran, "seconds": seconds}
    if ran:
        run["build"] = env.config.claims_build_started
    env.claim_runs.setdefault(docname, []).append(run)


def exception_summary(traceback: str) -> str:
    """The exception a traceback ends with: its class and the first line of its message."""
    lines = ANSI.sub("", traceback).strip().splitlines()
    for index in range(len(lines) - 1, -1, -1):
        if EXCEPTION_LINE.match(lines[index]):
            message = " ".join(line.strip() for line in lines[index : index + 6] if line.strip())
            return message[:400]
    return lines[-1].strip()[:400] if lines else ""


def _first_code_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            return line.strip()[:80]
    return "(no code)"


def _headings(markdown: str) -> list[str]:
    return [line.lstrip("#").strip() for line in markdown.splitlines() if line.startswith("#")]


def note_notebook_claims(app, doctree):
    """Each code cell of a notebook page, from the executed notebook myst-nb cached."""
    from myst_nb.sphinx_ import NbMetadataCollector

    env, docname = app.env, app.env.docname
    exec_data = NbMetadataCollector.get_exec_data(env, docname)
    if not exec_data:
        return
    ran = exec_data["mtime"] >= app.config.claims_build_started
    note_run(env, docname, "notebook", f"docs/{docname}.md", ran, exec_data.get("runtime"))
    notebook = _executed_notebook(app, docname)
    if not exec_data["succeeded"] or notebook is None:
        detail = exec_data.get("traceback") or "the executed notebook is not in the cache"
        cell = re.search(r"-{10,}\n(.*?)\n-{10,}", ANSI.sub("", detail), re.S)
        where = _first_code_line(cell.group(1)) if cell else "(a cell)"
        note_claim(
            env, docname, "notebook cell", f"{docname}: {where}",
            exception_summary(detail), "runs", False, detail,
        )  # fmt: skip
        return
    section, seen = docname, {}
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and (headings := _headings(cell.source)):
            section = f"{docname} § {headings[-1]}"
        if cell.cell_type != "code":
            continue
        seen[section] = seen.get(section, 0) + 1
        errors = [output for output in cell.get("outputs", []) if output.output_type == "error"]
        raises = "raises-exception" in cell.metadata.get("tags", [])
        outcome = f"{errors[0].ename}: {_first_line(errors[0].evalue)}" if errors else "runs"
        detail = "\n".join(errors[0].traceback) if errors and not raises else ""
        note_claim(
            env, docname, "notebook cell", f"{section}, cell {seen[section]}",
            outcome, "raises" if raises else "runs", bool(errors) == raises, detail,
        )  # fmt: skip


def _first_line(message: str) -> str:
    lines = [line for line in str(message).strip().splitlines() if line.strip()]
    return lines[0].strip()[:300] if lines else ""


def _executed_notebook(app, docname):
    """The page's notebook (markdown cells included) with the outputs jupyter-cache keeps."""
    from jupyter_cache import get_cache

    cache = get_cache(app.env.mystnb_config.execution_cache_path)  # as myst-nb resolved it
    uri = str(Path(app.env.doc2path(docname)).resolve())
    try:
        return cache.merge_match_into_notebook(cache.get_project_notebook(uri).nb)[1]
    except (KeyError, ValueError):  # not executed to its end, or not a notebook it knows
        return None


def forget_page(app, env, docname):
    for store in ("claims", "claim_runs"):
        getattr(env, store, {}).pop(docname, None)


def merge_pages(app, env, docnames, other):
    for store in ("claims", "claim_runs"):
        mine = getattr(env, store, {})
        mine.update({d: c for d, c in getattr(other, store, {}).items() if d in docnames})
        setattr(env, store, mine)


# -- The examples, and the record -------------------------------------------------------------
def example_claims(app) -> tuple[list, list]:
    """Every gallery example: from sphinx-gallery's JUnit report where this build ran it, else
    it passed when it last ran (sphinx-gallery re-runs an example that failed)."""
    conf = getattr(app.config, "sphinx_gallery_conf", None)
    if conf is None or not conf.get("junit"):
        return [], []
    root = Path(app.confdir)
    report = Path(app.outdir) / conf["junit"]  # as sphinx-gallery resolves it
    cases = ElementTree.parse(report).getroot().iter("testcase") if report.exists() else []
    ran = {}
    for case in cases:
        script = (Path(app.srcdir) / case.get("file")).resolve().relative_to(root).as_posix()
        failure = case.find("failure")
        ran[script] = (float(case.get("time")), failure.text if failure is not None else "")
    pattern = re.compile(conf["filename_pattern"])
    claims, runs = [], []
    for folder in [conf["examples_dirs"]] if isinstance(conf["examples_dirs"], str) else []:
        for path in sorted((Path(app.srcdir) / folder).resolve().rglob("*.py")):
            script = path.relative_to(root).as_posix()
            if not pattern.search(str(path)) or path.name.startswith("_"):
                continue
            seconds, traceback = ran.get(script, (None, ""))
            claims.append(
                {
                    "id": f"example: {script}",
                    "kind": "example",
                    "page": _gallery_page(script, conf),
                    "outcome": exception_summary(relative(traceback, root))
                    if traceback
                    else "runs",
                    "expected": "runs",
                    "holds": not traceback,
                    **({"detail": relative(traceback, root)} if traceback else {}),
                }
            )
            run = {"kind": "example", "source": script, "ran": script in ran, "seconds": seconds}
            runs.append(run)
    return claims, runs


def _gallery_page(script: str, conf) -> str:
    examples = Path(conf["examples_dirs"]).name
    gallery = conf["gallery_dirs"]
    parts = Path(script).with_suffix("").parts
    return "/".join([gallery, *parts[parts.index(examples) + 1 :]])


def write_record(app, exception):
    """Runs before sphinx-gallery's own end-of-build report, which raises on a failed example."""
    if exception is not None or app.builder.format != "html":
        return
    env = app.env
    claims, runs = example_claims(app)
    for docname in sorted(getattr(env, "claims", {})):
        claims.extend(env.claims[docname])
    for docname in sorted(getattr(env, "claim_runs", {})):
        runs.extend(dict(run) for run in env.claim_runs[docname])  # the env keeps its own
    started = app.config.claims_build_started
    for run in runs:  # a run kept from an earlier build did not run in this one
        run["ran"] = run.pop("build", started) == started and run["ran"]
    record = {
        "versions": installed_versions(),
        "platform": f"{platform.system()} {platform.machine()}, {_devices()}",
        "date": datetime.now(UTC).date().isoformat(),
        "claims": sorted(claims, key=lambda claim: claim["id"]),
        "runs": runs,
    }
    duplicates = len(record["claims"]) - len({claim["id"] for claim in record["claims"]})
    if duplicates:
        logger.warning("claims record: %d claims share an id with another", duplicates)
    path = build_folder(app) / RECORD
    path.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    failing = sum(not claim["holds"] for claim in record["claims"])
    logger.info("claims record: %d claims, %d failing: %s", len(claims), failing, path)


def _devices() -> str:
    devices = []
    if torch := sys.modules.get("torch"):
        devices.append("torch on " + ("CUDA" if torch.cuda.is_available() else "CPU"))
    if jax := sys.modules.get("jax"):
        devices.append(f"jax on {jax.default_backend().upper()}")
    return ", ".join(devices) or "no framework imported by the build"


def start_clock(app, config):
    config.claims_build_started = time.time()
    config.claims_root = str(app.confdir)  # claims name files relative to it


def setup(app):
    app.add_config_value("claims_build_started", 0.0, "")
    app.add_config_value("claims_root", "", "")
    app.connect("config-inited", start_clock)
    app.connect("doctree-read", note_notebook_claims)
    app.connect("env-purge-doc", forget_page)
    app.connect("env-merge-info", merge_pages)
    app.connect("build-finished", write_record, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
