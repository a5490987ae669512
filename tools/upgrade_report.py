"""What a torch or jax upgrade would change on the site (run by ``nox -s upgrade``).

    nox -s upgrade -- torch==2.14.1
    nox -s upgrade -- jax==0.10.1 jaxlib==0.10.1

Installs ``requirements.txt`` with the given pins replaced into a temporary virtual
environment (the pinned ``.nox`` environments are left alone), builds a copy of the sources
there with every notebook run to its end, and reports every claim whose outcome changed:

- a live-table cell: its expected outcome and the new one;
- a prose doctest: the expected output and the new one;
- a gallery example: the assertion (or other exception) that now fails;
- a notebook cell: the first cell of each notebook that now fails, and its error.

Anything else the build warned about is reported as it is. The report is printed and
written to ``_build/upgrade-report.md``; the exit status is 1 when anything changed.
"""

import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from site_build import ROOT, SPHINX_ARGS, copy_sources

ANSI = re.compile(r"\x1b\[[0-9;]*m")
WARNING = re.compile(r"^(?P<where>\S*): WARNING: |^WARNING: ", re.MULTILINE)
EXAMPLE_FAILED = re.compile(
    r"(?P<path>\S+\.py) unexpectedly failed to execute correctly:\s+(?P<traceback>.+)", re.S
)
CELL = re.compile(
    r"live-table expectation failed: (?P<module>[^,]+), (?P<cell>.+?): "
    r"expected (?P<old>.+?), the probe gave (?P<new>.+?)(?: \((?P<note>.*)\))?$",
    re.S,
)
DOCTEST = re.compile(
    r"doctest failed in (?P<page>\S+):\n(?P<source>.+?)\n"
    r"(?:expected:\n(?P<old>.*?)got:\n(?P<new>.*)|raised (?P<raised>.*))$",
    re.S,
)
# Lines of Sphinx's own progress, which end a warning's text in a merged log.
PROGRESS = re.compile(
    r"^(reading sources|writing output|highlighting|copying|dumping|build (succeeded|finished)|"
    r"The HTML pages|looking for now-outdated|pickling|checking consistency|preparing documents|"
    r"generating|waiting for workers|updating environment|loading|Running Sphinx|myst|"
    r"\[IPKernelApp\]|.*: Executing notebook using|.*: Executed notebook|live-table: |"
    r"prose doctests: |Using jupyter-cache|executed \d+ out of|sphinx-gallery)",
    re.MULTILINE,
)
NOTEBOOK_LOG = re.compile(r"Notebook exception traceback saved in: (?P<log>\S+)")


@dataclass
class Change:
    kind: str  # "table cell", "doctest", "example", "notebook cell" or "other warning"
    where: str
    old: str
    new: str


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _warnings(log: str):
    """Each warning's location and text (up to the next warning), colours removed."""
    log = ANSI.sub("", log)
    starts = list(WARNING.finditer(log))
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(log)
        text = log[match.end() : end]
        if progress := PROGRESS.search(text):
            text = text[: progress.start()]
        text = re.sub(r"\s*\[[\w.]+\](?: \[[\w.]+\])*\s*$", "", text.strip())
        yield match.group("where") or "", text


def parse(log: str) -> list[Change]:
    """The claims a build log reports as changed (see the module's docstring)."""
    changes = []
    for where, text in _warnings(log):
        if cell := CELL.match(text):
            changes.append(
                Change("table cell", f"{cell['module']}: {cell['cell']}", cell["old"], cell["new"])
            )
        elif doctest := DOCTEST.match(text):
            new = doctest["new"] if doctest["raised"] is None else f"raised {doctest['raised']}"
            changes.append(
                Change(
                    "doctest",
                    f"{where}: >>> {doctest['source']}",
                    (doctest["old"] or "").strip(),
                    new.strip(),
                )
            )
        elif example := EXAMPLE_FAILED.search(text):
            changes.append(
                Change(
                    "example",
                    example["path"],
                    "runs; its assertions hold",
                    _last_line(example["traceback"]),
                )
            )
        elif text.startswith("Executing notebook failed"):
            continue  # reported with the cell and error from its log, next
        elif notebook := NOTEBOOK_LOG.match(text):
            changes.append(_notebook_change(where, Path(notebook["log"])))
        else:
            changes.append(Change("other warning", where, "", text))
    return changes


def _notebook_change(page: str, error_log: Path) -> Change:
    report = ANSI.sub("", error_log.read_text(encoding="utf-8")) if error_log.exists() else ""
    cell = re.search(r"-{10,}\n(.*?)\n-{10,}", report, re.S)
    source = cell.group(1).strip().splitlines()[0] if cell else "?"
    return Change("notebook cell", f"{page}: {source} ...", "runs", _last_line(report))


def render(changes: list[Change], candidates: list[str]) -> str:
    title = f"# Upgrade report: {' '.join(candidates) or 'the pinned releases'}\n\n"
    if not changes:
        return title + "Nothing changed: every claim holds with these releases.\n"
    lines = [
        f"{len(changes)} claim(s) changed.\n",
        "| claim | where | site (old) | now (new) |",
        "| --- | --- | --- | --- |",
    ]
    for change in changes:
        cells = [change.kind, change.where, change.old, change.new]
        lines.append(
            "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ⏎ ") for c in cells) + " |"
        )
    return title + "\n".join(lines) + "\n"


def with_candidates(requirements: str, candidates: list[str]) -> str:
    """``requirements.txt`` with the pins of the candidates' packages replaced."""
    names = {re.split(r"[=<>!~]", c)[0].lower().replace("_", "-"): c for c in candidates}
    lines = []
    for line in requirements.splitlines():
        name = re.split(r"[=<>!~\s#]", line.strip())[0].lower().replace("_", "-")
        lines.append(names.pop(name, line) if name else line)
    return "\n".join([*lines, *names.values()]) + "\n"


def main(candidates: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="gtcf-upgrade-") as tmp:
        tmp = Path(tmp)
        requirements = tmp / "requirements.txt"
        requirements.write_text(
            with_candidates((ROOT / "requirements.txt").read_text(), candidates)
        )
        subprocess.run([sys.executable, "-m", "venv", tmp / "venv"], check=True)
        python = str(tmp / "venv" / "bin" / "python")
        subprocess.run([python, "-m", "pip", "install", "-q", "-r", requirements], check=True)
        site = tmp / "site"
        site.mkdir()
        copy_sources(site)
        build = subprocess.run(
            [python, "-m", "sphinx", *SPHINX_ARGS, "-D", "nb_execution_raise_on_error=0"],
            cwd=site,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        versions = subprocess.run(
            [python, "-m", "pip", "freeze"], capture_output=True, text=True
        ).stdout
    changes = parse(build.stdout.replace(f"{site}/", ""))  # paths relative to the sources
    report = render(changes, candidates)
    if build.returncode and not changes:  # it stopped for another reason: show how
        report += "\nThe build failed:\n\n```\n" + "\n".join(build.stdout.splitlines()[-40:])
        report += "\n```\n"
    frameworks = [
        line for line in versions.splitlines() if re.match(r"(torch|jax|jaxlib|numpy)==", line)
    ]
    report += f"\nBuilt with: {', '.join(frameworks)} (sphinx exit status {build.returncode}).\n"
    (ROOT / "_build").mkdir(exist_ok=True)
    (ROOT / "_build" / "upgrade-report.md").write_text(report, encoding="utf-8")
    print(report)
    return 1 if changes or build.returncode else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
