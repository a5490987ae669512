"""Shared by both tiers: the extension tests on tiny sites and the full-site tests."""

import functools
import json
import runpy
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
sys.path.insert(0, str(ROOT / "tools"))
from site_build import reader_environment, run_alone  # noqa: E402, F401  (for the tests)

pytest_plugins = ["sphinx.testing.fixtures"]
REPOSITORY_BEFORE = pytest.StashKey[str]()


def once_per_run(tmp_path_factory, worker_id: str, name: str, make: Callable[[Path], dict]):
    """Run ``make(folder)`` once per test run, however many pytest-xdist workers ask: the first
    makes it while the others wait, and all get the JSON-able dict it returned."""
    base = tmp_path_factory.getbasetemp()
    shared = base if worker_id == "master" else base.parent  # one folder for all workers
    folder, record = shared / name, shared / f"{name}.json"
    with FileLock(shared / f"{name}.lock"):
        if not record.exists():
            folder.mkdir()
            record.write_text(json.dumps(make(folder)))
    return folder, json.loads(record.read_text())


def needs_the_site(item) -> bool:
    fixtures = getattr(item, "fixturenames", ())
    return "built_site" in fixtures or "site_build" in fixtures


@functools.cache
def gallery_sections() -> list[str]:
    sections = runpy.run_path(str(ROOT / "conf.py"))["sphinx_gallery_conf"]["subsection_order"]
    return [Path(section).name for section in sections]


def build_order(item) -> tuple:
    """Where the build runs the item's example: gallery sections in conf.py's order, then
    file names (a test without an example sorts first)."""
    script = getattr(item, "callspec", None) and item.callspec.params.get("script")
    if script is None:
        return (-1, "")
    names, section = gallery_sections(), script.parent.name
    return (names.index(section) if section in names else len(names), script.name)


def pytest_collection_modifyitems(items):
    """Whatever needs the full site build is slow. The order keeps both cores busy: the first
    example's notebook run starts the build, the tests that need no site run while it goes on,
    then the other notebooks (each as soon as the build wrote it, in the build's order), then
    the rebuild of a moved copy (the longest test), the browser and the rest of the finished
    site."""
    for item in items:
        if needs_the_site(item):
            item.add_marker(pytest.mark.slow)

    def group(item):
        if not needs_the_site(item):
            return 1
        if "built_site" not in item.fixturenames:  # runs while the site builds
            return 2
        if "copy_of_built_site" in item.fixturenames:  # the longest: a rebuild of the site
            return 3
        module = item.module.__name__.rpartition(".")[2]
        return 4 if module == "test_browser" else 5

    items.sort(key=lambda item: (group(item), build_order(item)))
    first_run = next((item for item in items if group(item) == 2), None)
    if first_run is not None:
        items.remove(first_run)
        items.insert(0, first_run)


def repository_state() -> str:
    """What git sees changed or added in the checkout (ignored build folders excluded)."""
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return status.stdout if status.returncode == 0 else ""


def pytest_sessionstart(session):
    session.config.stash[REPOSITORY_BEFORE] = repository_state()


def pytest_sessionfinish(session, exitstatus):
    """Tests write nothing in the repository outside its git-ignored build folders."""
    if hasattr(session.config, "workerinput"):
        return  # an xdist worker: the controlling process checks once, at the very end
    before, after = session.config.stash[REPOSITORY_BEFORE], repository_state()
    if after != before:
        written = sorted(set(after.splitlines()) - set(before.splitlines()))
        session.config.get_terminal_writer().line(
            f"FAILED: the tests wrote into the repository: {written}", red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
