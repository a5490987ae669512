extensions = ["myst_parser", "search_index"]
html_theme = "pydata_sphinx_theme"
