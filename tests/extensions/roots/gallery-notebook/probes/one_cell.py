"""One probe: enough to see whether the table ran or reused its outcomes."""

ROWS = ["six times seven"]
COLUMNS = ["value"]
PROBES = {("six times seven", "value"): lambda: 6 * 7}
EXPECTED = {("six times seven", "value"): 42}
