from pathlib import Path

extensions = ["build_info", "live_tables", "myst_nb", "sphinx_gallery.gen_gallery"]
exclude_patterns = ["_build", "examples", "probes", "auto_examples/**.ipynb"]  # as the site
nb_execution_mode = "cache"
nb_execution_raise_on_error = True
sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"\.py$",
    "write_computation_times": False,
    "junit": "../gallery-junit.xml",  # read by claims_record
    # An absolute path, as the site's conf.py has: the fingerprint must not depend on it.
    "default_thumb_file": str(Path(__file__).parent / "thumb.png"),
}
