"""Failed checks are reported as warnings, and their pages are checked again by the next build.

Live tables and prose doctests run while a page is read and report a failure as a warning,
an error under ``-W``. Sphinx re-reads only the pages whose sources changed, so without this
an unchanged page that failed would pass the next, incremental build unchecked. Checks call
:func:`report_failed_check`, which warns and marks the page to be read again.
"""

from sphinx.util import logging

logger = logging.getLogger(__name__)


def report_failed_check(env, docname: str, message: str, *args, **kwargs):
    """Log a failed check as a warning and have the next build read ``docname`` again."""
    logger.warning(message, *args, **kwargs)
    if not hasattr(env, "failed_checks"):
        env.failed_checks = set()
    env.failed_checks.add(docname)


def reread_failed_pages(app, env, added, changed, removed):
    failed = getattr(env, "failed_checks", set()) - set(removed)
    env.failed_checks = set()  # pages that fail again in this build mark themselves again
    return sorted(failed)


def setup(app):
    app.connect("env-get-outdated", reread_failed_pages)
    return {"parallel_read_safe": False, "parallel_write_safe": True}
