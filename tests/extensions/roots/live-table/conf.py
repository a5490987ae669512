extensions = ["myst_parser", "live_tables"]
