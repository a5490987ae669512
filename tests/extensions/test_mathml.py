"""Math becomes MathML at build time: nothing for a browser to fetch or run."""

from .conftest import build


def test_math_renders_as_mathml_without_a_script(tiny_site):
    result = build(tiny_site("mathml"))
    assert result.statuscode == 0, result.warnings
    page = result.page()
    inline, display = page.select("math")
    assert inline.get("display") == "inline" and inline.find("mfrac"), inline
    assert display.get("display") == "block", display
    scripts = [tag.get("src", "") for tag in page.select("script")]
    assert not [src for src in scripts if "mathjax" in src.lower()], scripts
