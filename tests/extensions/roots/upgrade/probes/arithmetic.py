"""A table one of whose cells a new release changed."""

ROWS = ["square"]
COLUMNS = ["at 2", "at 3"]
PROBES = {("square", "at 2"): lambda: (2.0 * 2.0, 4.0), ("square", "at 3"): lambda: 3.0 * 3.0}
EXPECTED = {("square", "at 2"): "ok", ("square", "at 3"): 10.0}
