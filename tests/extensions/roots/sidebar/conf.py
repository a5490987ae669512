extensions = ["myst_parser", "accessible_sidebar"]
html_theme = "pydata_sphinx_theme"
