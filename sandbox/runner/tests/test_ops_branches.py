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


    def test_a_predicate_loop_answering_the_opposite_question(self) -> None:
        src = ("def is_prime(n):\n    if n < 2:\n        return False\n    for d in range(2, n):\n        if n % d == 0:\n"
               "            return True\n    return False\n")
        out = best(src, "assert is_prime(7) == True\nassert is_prime(9) == False\nassert is_prime(2) == True\nassert is_prime(1) == False\n")
        self.assertEqual(out, src.replace("            return True\n    return False\n", "            return False\n    return True\n"))

    def test_some_where_every_was_meant(self) -> None:
        src = "def all_short(words, k):\n    for w in words:\n        if len(w) <= k:\n            return True\n    return False\n"
        want = "def all_short(words, k):\n    for w in words:\n        if not (len(w) <= k):\n            return False\n    return True\n"
        self.assertEqual(variants(ops_branches, src).get(want), "the other quantifier: return False as soon as one item fails the condition")
        src = "def has_neg(xs):\n    for x in xs:\n        if not x >= 0:\n            return True\n    return False\n"
        self.assertIn("def has_neg(xs):\n    for x in xs:\n        if x >= 0:\n            return False\n    return True\n", variants(ops_branches, src))
        # a loop that does more than decide, or returns the same answer both ways, is left alone
        for other in ("def f(xs):\n    for x in xs:\n        if x:\n            return True\n    return True\n",
                      "def f(xs):\n    for x in xs:\n        if x:\n            return 1\n    return 0\n",
                      "def f(xs):\n    for x in xs:\n        if x:\n            return True\n        print(x)\n    return False\n"):
            self.assertFalse([d for d in variants(ops_branches, other).values() if "answers" in d or "quantifier" in d])

if __name__ == "__main__":
    unittest.main()
