"""Render math as MathML at build time: no MathJax, no CDN, nothing to load in the browser.

Browsers display MathML Core natively and screen readers read it, so a page with math costs
no script. The LaTeX-to-MathML conversion is latex2mathml's (a maintained, pure-Python
library); this module only plugs it into Sphinx's math nodes (``{math}``, ``$$``, ``:math:``).
"""

from docutils import nodes
from latex2mathml.converter import convert
from sphinx.util import logging

logger = logging.getLogger(__name__)


def _mathml(self, node, latex, display):
    try:
        return convert(latex, display="block" if display else "inline")
    except Exception as error:  # report the formula and go on, like Sphinx's own renderers
        logger.warning("cannot convert math %r to MathML: %s", latex, error, location=node)
        return f"<code>{self.encode(latex)}</code>"


def visit_math(self, node):
    self.body.append(_mathml(self, node, node.astext(), display=False))
    raise nodes.SkipNode


def visit_displaymath(self, node):
    if node.get("number"):
        self.body.append(f'<span class="eqno">({node["number"]})</span>')
    block = _mathml(self, node, node.astext(), display=True)
    self.body.append(f'<div class="math-wrapper docutils container">{block}</div>\n')
    raise nodes.SkipNode


def setup(app):
    app.add_html_math_renderer("mathml", (visit_math, None), (visit_displaymath, None))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
