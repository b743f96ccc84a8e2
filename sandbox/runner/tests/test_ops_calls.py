import unittest

from helpers import best, variants
from tracefix_runner.search import ops_calls


class CallTests(unittest.TestCase):
    def test_sibling_builtin(self) -> None:
        src = "def cheapest(prices):\n    return max(prices)\n"
        self.assertIn("def cheapest(prices):\n    return min(prices)\n", variants(ops_calls, src))

    def test_sibling_method(self) -> None:
        src = "def shout(s):\n    return s.lower()\n"
        self.assertIn("def shout(s):\n    return s.upper()\n", variants(ops_calls, src))

    def test_in_place_sort_used_for_its_value(self) -> None:
        src = "def ordered(xs):\n    return xs.sort()\n"
        self.assertIn("def ordered(xs):\n    return sorted(xs)\n", variants(ops_calls, src))

    def test_arguments_in_the_wrong_order(self) -> None:
        src = "def power(b, e):\n    return pow(e, b)\n"
        self.assertIn("def power(b, e):\n    return pow(b, e)\n", variants(ops_calls, src))

    def test_missing_abs_end_to_end(self) -> None:
        src = "def distance(a, b):\n    return a - b\n"
        out = best(src, "assert distance(1, 4) == 3\nassert distance(9, 2) == 7\nassert distance(5, 5) == 0\n")
        self.assertEqual(out, "def distance(a, b):\n    return abs(a - b)\n")


if __name__ == "__main__":
    unittest.main()
