"""Give the theme's sidebar expand/collapse toggles an accessible name.

pydata-sphinx-theme 0.24 renders each expandable sidebar section as ``<details>`` whose
``<summary>`` holds only a chevron icon, so screen readers announce an unnamed control (axe
rule ``summary-name``, "serious"). The sidebar HTML comes from the theme's
``generate_toctree_html`` template function; this wraps it (after the theme has put it in the
page context) and labels each such summary.
"""

import functools

LABEL = "Show or hide the pages of this section"


def label_sidebar_toggles(app, pagename, templatename, context, doctree):
    generate = context.get("generate_toctree_html")
    if generate is None:
        return

    @functools.wraps(generate)
    def labelled(*args, **kwargs):
        html = generate(*args, **kwargs)  # a string (from the theme's cache) or a soup
        if isinstance(html, str):
            return html.replace("<summary>", f'<summary aria-label="{LABEL}">')
        for summary in html.select("summary"):
            summary["aria-label"] = LABEL
        return html

    context["generate_toctree_html"] = labelled


def setup(app):
    app.connect("html-page-context", label_sidebar_toggles, priority=900)  # after the theme
    return {"parallel_read_safe": True, "parallel_write_safe": True}
