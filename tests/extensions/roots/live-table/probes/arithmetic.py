"""Probes of plain Python arithmetic: no framework needed."""

ROWS = ["square", "reciprocal", "halving", "fallback"]
COLUMNS = ["at 2", "at 0"]


def reciprocal_at_0():
    try:
        return 1 / 0.0
    except ZeroDivisionError as error:
        error.probe_note = "the probe's own words"
        raise


FELL_BACK = "ran eagerly: the fixture's compiler failed"
PROBES = {
    ("square", "at 2"): lambda: (2.0 * 2.0, 4.0),
    ("square", "at 0"): lambda: (0.0 * 0.0, 1.0),
    ("reciprocal", "at 2"): lambda: 1 / 2.0,
    ("reciprocal", "at 0"): reciprocal_at_0,
    ("halving", "at 2"): lambda: (2.0 // 2, 1.0),
    ("halving", "at 0"): lambda: (0.5 * 3, 0.0),  # a different value: 1.5, not 0
    ("fallback", "at 2"): lambda: (4.0, 4.0, FELL_BACK),
    ("fallback", "at 0"): lambda: (3.0, 0.0, FELL_BACK),
}
EXPECTED = {
    ("square", "at 2"): "ok",
    ("square", "at 0"): "zero",
    ("reciprocal", "at 2"): 0.5,
    ("reciprocal", "at 0"): "ZeroDivisionError",
    ("halving", "at 2"): "ok",
    ("halving", "at 0"): ("wrong", 1.5),
    ("fallback", "at 2"): ("ran eagerly", "ok"),
    ("fallback", "at 0"): ("ran eagerly", ("wrong", 3.0)),
}
