"""The theme's sidebar expand/collapse toggles carry a name for screen readers."""

from accessible_sidebar import LABEL

from .conftest import build


def test_every_sidebar_toggle_is_named(tiny_site):
    result = build(tiny_site("sidebar"))
    assert result.statuscode == 0, result.warnings
    toggles = result.page("section/first").select(".bd-sidebar-primary summary")
    assert toggles, "the fixture's sidebar has no expandable section"
    unnamed = [str(summary) for summary in toggles if summary.get("aria-label") != LABEL]
    assert not unnamed, unnamed
