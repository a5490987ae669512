"""No builder's paths on the pages: tracebacks and warnings name files relative to the repository.

An example's warning or traceback names the file that ran, an absolute path in the folder the
site was built in; a library frame names the builder's virtual environment. A reader would see
someone else's file system. This rewrites them as the reader would see them in a checkout:
``examples/caveats/plot_kinks.py``, ``site-packages/torch/...``, ``python3.12/...``:

- in the pages sphinx-gallery has just written (``builder-inited``, after it runs the examples),
  so the HTML and the page's published source agree;
- in every other page's literal blocks once it is read (``doctree-read``): notebook outputs,
  doctest outputs.

The claims record (``claims_record``) uses :func:`relative` for the same reason.
"""

import functools
import sys
import sysconfig
from pathlib import Path

from docutils import nodes


@functools.cache  # called for every text node of every literal block the build reads
def builder_paths(root: Path) -> tuple[tuple[str, str], ...]:
    """``(absolute prefix, what a reader sees instead)``, longest first: the folder the site is
    built in becomes relative; the interpreter's folders become their usual short names."""
    paths = sysconfig.get_paths()
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    prefixes = {
        f"{Path(root).resolve()}/": "",
        f"{paths['purelib']}/": "site-packages/",
        f"{paths['platlib']}/": "site-packages/",
        f"{paths['stdlib']}/": f"{version}/",
    }
    return tuple(sorted(prefixes.items(), key=lambda item: -len(item[0])))


def relative(text: str, root: Path) -> str:
    for prefix, replacement in builder_paths(root):
        text = text.replace(prefix, replacement)
    return text


def rewrite_gallery_pages(app):
    """The reST pages sphinx-gallery wrote for the examples it ran in this build."""
    conf = getattr(app.config, "sphinx_gallery_conf", None)
    if conf is None:
        return
    galleries = conf["gallery_dirs"]
    for gallery in [galleries] if isinstance(galleries, str) else galleries:
        for page in (Path(app.srcdir) / gallery).rglob("*.rst"):
            text = page.read_text(encoding="utf-8")
            rewritten = relative(text, Path(app.confdir))
            if rewritten != text:  # untouched pages keep their time stamp: not read again
                page.write_text(rewritten, encoding="utf-8")


def rewrite_literal_blocks(app, doctree):
    root = Path(app.confdir)
    for block in doctree.findall(nodes.literal_block):
        for text in list(block.findall(nodes.Text)):
            rewritten = relative(str(text), root)
            if rewritten != str(text):
                text.parent.replace(text, nodes.Text(rewritten))
        if "code" in block.attributes and isinstance(block["code"], str):
            block["code"] = relative(block["code"], root)


def setup(app):
    app.connect("builder-inited", rewrite_gallery_pages, priority=900)  # after sphinx-gallery
    app.connect("doctree-read", rewrite_literal_blocks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
