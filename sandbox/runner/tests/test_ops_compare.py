import unittest

from helpers import best, variants
from tracefix_runner.search import ops_compare


class CompareTests(unittest.TestCase):
    def test_boundary_slip(self) -> None:
        src = "def passed(score):\n    return score > 50\n"
        self.assertIn("def passed(score):\n    return score >= 50\n", variants(ops_compare, src))

    def test_and_for_or(self) -> None:
        src = "def weekend(day):\n    return day == 'sat' and day == 'sun'\n"
        self.assertIn("def weekend(day):\n    return day == 'sat' or day == 'sun'\n", variants(ops_compare, src))

    def test_negated_condition(self) -> None:
        src = "def first_even(xs):\n    for x in xs:\n        if x % 2:\n            return x\n"
        self.assertIn("def first_even(xs):\n    for x in xs:\n        if not (x % 2):\n            return x\n", variants(ops_compare, src))

    def test_end_to_end_keeps_comment(self) -> None:
        src = "def is_adult(age):\n    return age > 18  # the law says 18\n"
        out = best(src, "assert is_adult(18)\nassert not is_adult(17)\nassert is_adult(40)\n")
        self.assertEqual(out, "def is_adult(age):\n    return age >= 18  # the law says 18\n")


if __name__ == "__main__":
    unittest.main()
