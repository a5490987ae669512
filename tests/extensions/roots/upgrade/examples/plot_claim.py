"""
=======
A claim
=======

An example whose assertion no longer holds.
"""

answer = 6 * 8
print("example says", answer)
assert answer == 42, f"6 * 8 gave {answer}, expected 42"
