extensions = ["myst_parser", "prose_doctest"]
