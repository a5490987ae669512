extensions = ["myst_parser", "release_record"]
exclude_patterns = ["_build"]
