"""The release record: every claim of the site under several torch and jax releases.

    nox -s releases                      # every combination below
    nox -s releases -- torch==2.14.1     # only the combinations with that release

Each combination changes one framework and keeps the other at its pin, so a claim whose outcome
differs is attributed to the one release that changed it. Each is built from a fresh virtual
environment (``candidate_build``), every claim run to its end, and its claims record is written
to ``docs/releases/torch-<version>_jax-<version>.json``: the versions, the date, the platform
and every claim with its outcome. The page "What changed across releases" renders from these
files (``docs/_ext/release_record.py``); the site tests check that the record of the pinned
releases is what the live build produces.
"""

import json
import sys

from candidate_build import ROOT, build_record, name_of

RECORDS = ROOT / "docs" / "releases"
OTHER_RELEASES = {"torch": ["2.13.0", "2.14.1"], "jax": ["0.10.2", "0.11.2"]}
RELEASE_OF = {"torch": ["torch"], "jax": ["jax", "jaxlib"]}  # the packages of one release


def pinned() -> dict:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            pins[name_of(line)] = line.split("==")[1].strip()
    return pins


def combinations() -> list[list[str]]:
    """The candidates of each build: the pins, then each other release of one framework."""
    runs = [[]]
    for framework, releases in OTHER_RELEASES.items():
        for release in releases:
            runs.append([f"{package}=={release}" for package in RELEASE_OF[framework]])
    return runs


def file_name(record: dict) -> str:
    versions = record["versions"]
    return f"torch-{versions['torch'].split('+')[0]}_jax-{versions['jax']}.json"


def main(selection: list[str]) -> int:
    pins = pinned()
    RECORDS.mkdir(exist_ok=True)
    for candidates in combinations():
        named = candidates or [f"torch=={pins['torch']}", f"jax=={pins['jax']}"]
        if selection and not set(selection) & set(named):
            continue
        print(f"releases: building with {' '.join(named)}", flush=True)
        record = build_record(candidates)
        record.pop("runs")  # what this build happened to execute: not part of the record
        path = RECORDS / file_name(record)
        path.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        failing = sum(not claim["holds"] for claim in record["claims"])
        print(f"releases: {path.relative_to(ROOT)}: {len(record['claims'])} claims, "
              f"{failing} not as the site states them", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
