extensions = ["live_tables", "prose_doctest", "myst_nb", "sphinx_gallery.gen_gallery"]
exclude_patterns = ["_build", "examples", "auto_examples/**.ipynb"]
nb_execution_mode = "cache"
nb_execution_raise_on_error = True  # the upgrade report turns this off to see every cell
sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"\.py$",
    "write_computation_times": False,
    "junit": "../gallery-junit.xml",  # read by claims_record
}
