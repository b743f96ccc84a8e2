import unittest

from helpers import best, variants
from tracefix_runner.search import ops_branches


class BranchTests(unittest.TestCase):
    def test_if_that_should_be_elif(self) -> None:
        src = "def grade(n):\n    g = 'C'\n    if n >= 90:\n        g = 'A'\n    if n >= 80:\n        g = 'B'\n    return g\n"
        self.assertIn("def grade(n):\n    g = 'C'\n    if n >= 90:\n        g = 'A'\n    elif n >= 80:\n        g = 'B'\n    return g\n",
                      variants(ops_branches, src))

    def test_condition_that_should_not_be_there(self) -> None:
        src = "def clamp(x):\n    if x > 0:\n        x = min(x, 10)\n    return x\n"
        self.assertIn("def clamp(x):\n    x = min(x, 10)\n    return x\n", variants(ops_branches, src))

    def test_missing_break(self) -> None:
        src = "def first_neg(xs):\n    found = None\n    for x in xs:\n        if x < 0:\n            found = x\n    return found\n"
        out = best(src, "assert first_neg([3, -1, -5]) == -1\nassert first_neg([1]) is None\n")
        self.assertEqual(out, "def first_neg(xs):\n    found = None\n    for x in xs:\n        if x < 0:\n            found = x\n            break\n    return found\n")


if __name__ == "__main__":
    unittest.main()
