"""Sphinx configuration for Gradients Through Control Flow.

Build with ``nox -s docs`` (``sphinx-build -c . docs _build/html``): this file sits at the
repository root, the sources in ``docs/`` and the gallery scripts in ``examples/``.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "docs" / "_ext"))

# -- Project -----------------------------------------------------------------
project = "Gradients Through Control Flow"
author = "The Gradients Through Control Flow authors"
copyright = "2026, " + author

# -- General -----------------------------------------------------------------
extensions = [
    "build_info",  # docs/_ext: version stamp, cache invalidation on version change
    "prose_doctest",  # docs/_ext: runs the >>> examples of prose pages during the build
    "live_tables",  # docs/_ext: tables whose cells are computed by probes during the build
    "mathml",  # docs/_ext: math as MathML at build time (latex2mathml), so no MathJax/CDN
    "accessible_sidebar",  # docs/_ext: names the theme's sidebar toggles for screen readers
    "search_index",  # docs/_ext: section search that finds pasted error messages
    "relative_paths",  # docs/_ext: tracebacks name files relative to the repository
    "claims_record",  # docs/_ext: _build/claims.json, every claim checked and its outcome
    "release_record",  # docs/_ext: what changed across releases, from docs/releases/*.json
    "myst_nb",
    "sphinx_gallery.gen_gallery",
    "sphinx_design",
    "sphinx_copybutton",
]
# Patterns are relative to the source dir (docs/); templates and static paths to this file's.
exclude_patterns = [
    "**/.ipynb_checkpoints",
    "auto_examples/**.ipynb",  # sphinx-gallery's notebook downloads, not sources
]
templates_path = ["docs/_templates"]
html_static_path = ["docs/_static"]
html_css_files = ["custom.css"]
nitpicky = True
html_math_renderer = "mathml"

# -- sphinx-gallery ----------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"\.py$",  # execute every example, not only plot_*
    "subsection_order": [
        "../examples/basics",
        "../examples/control_flow",
        "../examples/caveats",
        "../examples/compilers",
        "../examples/scale",
        "../examples/under_the_hood",
        "../examples/expert_tools",
        "*",
    ],
    "within_subsection_order": "FileNameSortKey",
    "write_computation_times": False,  # its page loads DataTables from a CDN
    "junit": "../gallery-junit.xml",  # beside html/: read by claims_record
    "show_signature": False,
    "remove_config_comments": True,
    "thumbnail_size": (240, 168),  # shown at 160 x 112: small files keep the index page light
    "default_thumb_file": str(Path(__file__).parent / "docs" / "_static" / "default_thumb.png"),
}

# -- myst-nb -----------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "dollarmath", "substitution"]  # {{ torch_version }}
nb_execution_mode = "cache"  # re-execute a notebook page only when its code changes
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 300
nb_merge_streams = True

# -- sphinx-copybutton -------------------------------------------------------
copybutton_prompt_text = r">>> |\.\.\. "
copybutton_prompt_is_regexp = True  # copy only the code of doctest blocks, not their output

# -- HTML theme --------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = project
html_favicon = "docs/_static/favicon.svg"  # else every first visit logs a 404 for /favicon.ico
html_last_updated_fmt = "%Y-%m-%d"  # the build date, shown in every page's footer
# Canonical links for search engines when Read the Docs (which also serves a sitemap) builds.
html_baseurl = os.environ.get("READTHEDOCS_CANONICAL_URL", "")
html_theme_options = {
    "footer_start": ["copyright"],
    "footer_center": ["build-info"],
    "navigation_with_keys": False,
    "show_toc_level": 2,
    # The error index lists its sections at the top: no second list beside them, a lighter page.
    "secondary_sidebar_items": {"**": ["page-toc", "sourcelink"], "summary": [], "errors": []},
}
html_sidebars = {"index": [], "summary": [], "errors": []}  # full width for wide tables
html_context = {"default_mode": "auto"}  # follow the reader's system colours until they choose
