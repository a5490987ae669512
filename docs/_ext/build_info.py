"""Stamp every page with the versions that executed it, and re-execute when they change.

sphinx-gallery and myst-nb both cache executed outputs, keyed on the source only. A new torch
or jax release must not be hidden behind those caches: when the installed versions (or the
gallery's settings, which shape its outputs) differ from those recorded at the last build,
both caches are cleared and every page is re-read, so every claim runs again.
"""

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


def installed_versions():
    versions = {"Python": platform.python_version()}
    versions.update({name: version(name) for name in FINGERPRINTED})
    return versions


def stamp_versions(app, config):
    versions = installed_versions()
    config.html_context["build_versions"] = ", ".join(
        f"{name} {versions[name]}" for name in ["Python", *STAMPED]
    )
    # An env-level config value: when it changes Sphinx re-reads (and re-executes) every page.
    # Read before sphinx-gallery fills in its defaults (this extension is listed first).
    gallery_settings = repr(sorted(config.sphinx_gallery_conf.items()))
    config.execution_fingerprint = json.dumps([versions, gallery_settings], sort_keys=True)


def clear_stale_caches(app):
    record = Path(app.outdir).parent / "execution-fingerprint.json"
    fingerprint = app.config.execution_fingerprint
    if record.exists() and record.read_text() != fingerprint:
        logger.info("build_info: versions or gallery settings changed; clearing execution caches")
        gallery_dirs = app.config.sphinx_gallery_conf["gallery_dirs"]
        for gallery_dir in [gallery_dirs] if isinstance(gallery_dirs, str) else gallery_dirs:
            shutil.rmtree(Path(app.srcdir) / gallery_dir, ignore_errors=True)
        shutil.rmtree(Path(app.outdir).parent / ".jupyter_cache", ignore_errors=True)
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(fingerprint)


def setup(app):
    app.add_config_value("execution_fingerprint", "", "env")
    app.connect("config-inited", stamp_versions)
    # Before sphinx-gallery (priority 500) decides which examples are up to date.
    app.connect("builder-inited", clear_stale_caches, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
