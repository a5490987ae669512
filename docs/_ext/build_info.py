"""Stamp every page with the versions that executed it, and re-execute when they change.

sphinx-gallery and myst-nb cache executed outputs keyed on the sources alone (an md5 per
example, jupyter-cache's hash of a notebook's code). A new torch or jax release must not hide
behind those caches. The *execution fingerprint* is what shapes outputs besides the sources:
the installed versions and the gallery settings written in conf.py, with paths made relative
to conf.py's folder, so a renamed, moved or copied checkout keeps its caches. When it differs
from the one recorded by the last build that completed:

- sphinx-gallery re-runs every example, through its own ``run_stale_examples`` switch, set for
  this build only;
- myst-nb caches in a jupyter-cache folder of this fingerprint's own
  (``nb_execution_cache_path``), so no output of another release can be reused, and older
  folders are removed once a build completes;
- the fingerprint is an env-level config value, so Sphinx re-reads every page: live tables and
  prose doctests run again.

The fingerprint is recorded only when a build completes, so a build that stops half way
leaves the next one to re-run what it did not reach.
"""

import hashlib
import json
import platform
import shutil
from importlib.metadata import version
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

STAMPED = ["torch", "jax"]
# Everything whose release can change an executed output.
FINGERPRINTED = [*STAMPED, "jaxlib", "numpy", "matplotlib", "sphinx-gallery", "myst-nb"]
RECORD = "execution-fingerprint.json"
NOTEBOOK_CACHES = ".jupyter_cache"


def installed_versions():
    versions = {"Python": platform.python_version()}
    versions.update({name: version(name) for name in FINGERPRINTED})
    return versions


def _portable(value, confdir: Path):
    """``value`` with every absolute path under ``confdir`` written relative to it."""
    if isinstance(value, dict):
        return {key: _portable(item, confdir) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_portable(item, confdir) for item in value]
    if isinstance(value, str | Path) and Path(value).is_absolute():
        path = Path(value)
        return path.relative_to(confdir).as_posix() if path.is_relative_to(confdir) else str(path)
    return repr(value) if not isinstance(value, str | int | float | bool | None) else value


def execution_fingerprint(versions: dict, gallery_settings: dict, confdir: Path) -> str:
    settings = _portable(gallery_settings, Path(confdir).resolve())
    return json.dumps({"versions": versions, "gallery": settings}, sort_keys=True)


def build_folder(app) -> Path:
    return Path(app.outdir).parent


def release_substitutions(versions: dict) -> dict:
    """``torch_version``, ``jax_version`` and ``python_version``: prose names the release it
    was checked on with ``{{ torch_version }}`` (MyST) or ``|torch_version|`` (reST, gallery
    text), never typed."""
    python = ".".join(versions["Python"].split(".")[:2])
    return {**{f"{name}_version": versions[name] for name in STAMPED}, "python_version": python}


def plan_execution(app, config):
    """Before sphinx-gallery fills in its defaults: decide what must run again."""
    versions = installed_versions()
    config.html_context["build_versions"] = ", ".join(
        f"{name} {versions[name]}" for name in ["Python", *STAMPED]
    )
    substitutions = release_substitutions(versions)
    config.myst_substitutions = {**config.myst_substitutions, **substitutions}
    config.rst_epilog = (config.rst_epilog or "") + "".join(
        f"\n.. |{name}| replace:: {value}" for name, value in substitutions.items()
    )
    fingerprint = execution_fingerprint(versions, config.sphinx_gallery_conf, app.confdir)
    config.execution_fingerprint = fingerprint
    digest = hashlib.sha256(fingerprint.encode()).hexdigest()[:16]
    config.nb_execution_cache_path = str(build_folder(app) / NOTEBOOK_CACHES / digest)
    record = build_folder(app) / RECORD
    if record.exists() and record.read_text() == fingerprint:
        return
    if record.exists():
        logger.info("build_info: versions or gallery settings changed; every example runs again")
    config.sphinx_gallery_conf = {**config.sphinx_gallery_conf, "run_stale_examples": True}


def record_completed_build(app, exception):
    if exception is not None:
        return
    fingerprint = app.config.execution_fingerprint
    (build_folder(app) / RECORD).write_text(fingerprint)
    current = Path(app.config.nb_execution_cache_path)
    for cache in current.parent.iterdir() if current.parent.exists() else []:
        if cache != current:
            shutil.rmtree(cache) if cache.is_dir() else cache.unlink()


def setup(app):
    app.add_config_value("execution_fingerprint", "", "env")
    # Priority 5: before sphinx-gallery (priority 10) copies and fills in its settings.
    app.connect("config-inited", plan_execution, priority=5)
    app.connect("build-finished", record_completed_build)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
