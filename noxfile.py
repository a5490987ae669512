"""Sessions for building and checking the Gradients Through Control Flow site.

nox -s docs             build the site into _build/html (extra args go to sphinx-build)
nox -s tests            run the test suite (extra args go to pytest)
nox -s serve            live-reloading preview on http://127.0.0.1:8000
nox -s lint             ruff over the Python sources
nox -s bench            time a cold build, a no-op rebuild and a one-example rebuild
nox -s upgrade -- PINS  what candidate releases would change on the site
nox -s releases         the release record: every claim under several torch and jax releases
"""

import hashlib
import sys
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).parent / "docs" / "_ext"))
from site_build import SPHINX_ARGS  # noqa: E402  (the one definition of the build command)

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True  # torch and jax are large: keep the venvs
nox.options.sessions = ["docs"]
PYTHON = "3.12"  # jax 0.12 needs 3.12 or newer; .python-version says the same to pyenv

REQUIREMENTS = Path(__file__).parent / "requirements.txt"


def install_requirements(session):
    """Install requirements.txt, skipping pip entirely when this venv already has it."""
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    stamp = Path(session.virtualenv.location) / "requirements.sha256"
    if stamp.exists() and stamp.read_text() == digest:
        return
    session.install("-r", str(REQUIREMENTS))
    stamp.write_text(digest)


@nox.session(python=PYTHON)
def docs(session):
    """Build the site, executing only the examples and notebooks that changed."""
    install_requirements(session)
    session.run("python", "-m", "sphinx", *SPHINX_ARGS, *session.posargs)


@nox.session(python=PYTHON)
def tests(session):
    """Build the site in a temporary folder and check what it shows, then run every example."""
    install_requirements(session)
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def serve(session):
    """Rebuild on every change and serve the site with live reload."""
    install_requirements(session)
    session.run(
        "sphinx-autobuild",
        *SPHINX_ARGS,
        "--watch",
        "examples",
        "--ignore",
        "docs/auto_examples",
        *session.posargs,
    )


@nox.session(python=PYTHON)
def bench(session):
    """Measure the build (in a temporary copy): wall time, peak memory, what was executed."""
    install_requirements(session)
    session.run("python", "tools/build_bench.py", *session.posargs)


@nox.session(venv_backend="none")  # the script makes a temporary venv of its own
def upgrade(session):
    """Build the site with candidate releases in a temporary venv; report what changes."""
    if not session.posargs:
        session.error("name the candidates, e.g. nox -s upgrade -- jax==0.12.2 jaxlib==0.12.2")
    session.run(f"python{PYTHON}", "tools/upgrade_report.py", *session.posargs, external=True)


@nox.session(venv_backend="none")  # a temporary venv for each release
def releases(session):
    """Build the site under each release of the record; write docs/releases/*.json."""
    session.run(f"python{PYTHON}", "tools/releases.py", *session.posargs, external=True)


@nox.session
def lint(session):
    """Check the Python sources with ruff: lint rules and formatting."""
    ruff_pin = next(line for line in REQUIREMENTS.read_text().split() if line.startswith("ruff=="))
    session.install(ruff_pin)
    sources = ["examples", "tests", "docs", "conf.py", "noxfile.py"]
    session.run("ruff", "check", *sources)
    session.run("ruff", "format", "--check", *sources)
