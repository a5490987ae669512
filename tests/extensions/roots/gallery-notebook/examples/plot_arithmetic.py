"""
==========
Arithmetic
==========

An example that prints and asserts.
"""

answer = 6 * 7
print("example says", answer)
assert answer == 42, f"6 * 7 gave {answer}"
