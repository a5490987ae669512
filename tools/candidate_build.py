"""Build the site under other releases and return its claims record.

Shared by ``nox -s releases`` (the release record) and ``nox -s upgrade`` (what a new pin would
change). Each build gets a temporary virtual environment with ``requirements.txt``'s pins, the
candidates replacing theirs, and a clean copy of the sources (``site_build.copy_sources``; the
maintainer's ``_build`` and ``.nox`` are left alone). Every claim runs to its end: a failing
notebook cell, example or doctest is recorded in the claims record
(``docs/_ext/claims_record.py``), not fatal. The record is all that is read; the log is only
shown when the build wrote no record.
"""

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs" / "_ext"))
from site_build import CLAIMS_RECORD, ROOT, SPHINX_ARGS, copy_sources  # noqa: E402

# Record every claim: a notebook runs past a failing cell, a failing one is not fatal.
RECORD_EVERYTHING = ["-D", "nb_execution_raise_on_error=0", "-D", "nb_execution_allow_errors=1"]
# The section of requirements.txt that pins what torch's own release installs with it (its
# CUDA libraries): another torch release brings its own, so these pins are dropped for it.
TORCH_DEPENDENCIES = "# torch's CUDA build"


def name_of(requirement: str) -> str:
    return re.split(r"[=<>!~\s#\[]", requirement.strip())[0].lower().replace("_", "-")


def with_candidates(requirements: str, candidates: list[str]) -> str:
    """``requirements.txt`` with the pins of the candidates' packages replaced (and, when torch
    is a candidate, without the pins of torch's own dependencies)."""
    replacing = {name_of(c): c for c in candidates}
    new_torch, lines, dropping = "torch" in replacing, [], False
    for line in requirements.splitlines():
        if line.startswith(TORCH_DEPENDENCIES):
            dropping = new_torch
        name = name_of(line)
        if dropping and name:
            continue
        lines.append(replacing.pop(name, line) if name else line)
    return "\n".join([*lines, *replacing.values()]) + "\n"


def build_record(candidates: list[str], log_to: Path | None = None) -> dict:
    """The claims record of a build of the site with ``candidates`` installed."""
    with tempfile.TemporaryDirectory(prefix="gtcf-release-") as tmp:
        tmp = Path(tmp)
        requirements = tmp / "requirements.txt"
        requirements.write_text(
            with_candidates((ROOT / "requirements.txt").read_text(), candidates)
        )
        subprocess.run([sys.executable, "-m", "venv", tmp / "venv"], check=True)
        python = str(tmp / "venv" / "bin" / "python")
        install = [python, "-m", "pip", "install", "-q", "-r", str(requirements)]
        subprocess.run(install, check=True)
        site = copy_sources(Path(tempfile.mkdtemp(dir=tmp, prefix="site-")))
        build = subprocess.run(
            [python, "-m", "sphinx", *SPHINX_ARGS, *RECORD_EVERYTHING],
            cwd=site,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        if log_to is not None:
            log_to.write_text(build.stdout, encoding="utf-8")
        record_file = site / CLAIMS_RECORD
        if not record_file.exists():
            tail = "\n".join(build.stdout.splitlines()[-60:])
            raise RuntimeError(
                f"the build wrote no claims record (exit {build.returncode}):\n{tail}"
            )
        record = json.loads(record_file.read_text(encoding="utf-8"))
    record["sphinx_exit_status"] = build.returncode
    return record
