extensions = ["myst_parser", "mathml"]
myst_enable_extensions = ["dollarmath"]
html_math_renderer = "mathml"
