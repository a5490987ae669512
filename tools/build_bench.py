"""Measure the docs build: cold, no-op, and after editing one example (run by `nox -s bench`).

The sources are copied to a temporary folder, so the maintainer's `_build/` and gallery cache
are left alone. Each build is timed and its process tree's memory sampled. What it executed,
and for how long, is read from the build's claims record (``runs``, see
``docs/_ext/claims_record.py``): examples, notebooks, live tables and doctest pages.
"""

import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs" / "_ext"))
from site_build import CLAIMS_RECORD, SPHINX_ARGS, copy_sources  # noqa: E402

SPHINX = [sys.executable, "-m", "sphinx", *SPHINX_ARGS]
EDITED_EXAMPLE = Path("examples/basics/plot_starting_examples.py")
TARGETS = {"noop_ratio": 0.05, "edit_ratio": 0.15, "overhead": 1.3, "peak_gib": 4.0}


def peak_tree_rss(process: subprocess.Popen, peaks: list) -> None:
    """Sample the summed RSS of ``process`` and its children until it exits."""
    root = psutil.Process(process.pid)
    while process.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            peaks.append(sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.2)


def build(folder: Path) -> dict:
    started = time.perf_counter()
    process = subprocess.Popen(
        SPHINX, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    peaks: list[int] = []
    sampler = threading.Thread(target=peak_tree_rss, args=(process, peaks))
    sampler.start()
    log = process.communicate()[0]
    sampler.join()
    wall = time.perf_counter() - started
    if process.returncode != 0:
        sys.exit(f"build failed in {folder}:\n{log[-4000:]}")
    runs = json.loads((folder / CLAIMS_RECORD).read_text(encoding="utf-8"))["runs"]
    ran = {kind: [r["seconds"] or 0.0 for r in runs if r["kind"] == kind and r["ran"]] for kind in
           ("example", "notebook", "live table", "doctests")}  # fmt: skip
    return {
        "wall": wall,
        "peak_gib": max(peaks, default=0) / 2**30,
        "examples": len(ran["example"]),
        "notebooks": len(ran["notebook"]),
        "tables": len(ran["live table"]),
        "doctest_pages": len(ran["doctests"]),
        "examples_notebooks_s": sum(ran["example"] + ran["notebook"]),
        "executing": sum(sum(seconds) for seconds in ran.values()),
    }


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="gtcf-bench-") as tmp:
        folder = copy_sources(Path(tmp))
        runs = {"cold": build(folder), "no-op": build(folder)}
        with (folder / EDITED_EXAMPLE).open("a") as script:
            script.write("\n# edited by the build benchmark\n")
        runs["one example edited"] = build(folder)

    print(
        f"\n{'build':<20}{'wall s':>8}{'peak GiB':>10}{'examples':>10}{'notebooks':>11}"
        f"{'tables':>8}{'doctest pages':>15}{'ex.+nb. s':>11}{'all claims s':>14}"
    )
    for name, run in runs.items():
        print(
            f"{name:<20}{run['wall']:>8.1f}{run['peak_gib']:>10.2f}{run['examples']:>10}"
            f"{run['notebooks']:>11}{run['tables']:>8}{run['doctest_pages']:>15}"
            f"{run['examples_notebooks_s']:>11.1f}{run['executing']:>14.1f}"
        )
    cold, noop, edit = runs["cold"], runs["no-op"], runs["one example edited"]
    checks = [
        (
            "no-op rebuild / cold",
            noop["wall"] / cold["wall"],
            TARGETS["noop_ratio"],
            noop["examples"] + noop["notebooks"] == 0,
        ),
        (
            "one example edited / cold",
            edit["wall"] / cold["wall"],
            TARGETS["edit_ratio"],
            edit["examples"] == 1 and edit["notebooks"] == 0,
        ),
        (
            "cold wall / examples+notebooks",
            cold["wall"] / cold["examples_notebooks_s"],
            TARGETS["overhead"],
            True,
        ),
        ("cold wall / all claims run", cold["wall"] / cold["executing"], TARGETS["overhead"], True),
        ("cold peak memory, GiB", cold["peak_gib"], TARGETS["peak_gib"], True),
    ]
    print()
    for name, value, target, executed_as_expected in checks:
        verdict = "met" if value <= target and executed_as_expected else "NOT MET"
        print(f"{name:<32}{value:>8.3f}  target <= {target:<5} {verdict}")
    print(
        "no-op executed nothing:",
        noop["examples"] + noop["notebooks"] == 0,
        "| edit executed exactly one example:",
        edit["examples"] == 1,
    )


if __name__ == "__main__":
    main()
