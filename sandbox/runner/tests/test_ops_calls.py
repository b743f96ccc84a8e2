import unittest

from helpers import best, variants
from tracefix_runner.search import ops_calls
from tracefix_runner.search.edits import Evidence


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

    def test_result_rounded_to_the_precision_the_tests_state(self) -> None:
        src = "def share(part, whole):\n    return part / whole\n"
        out = best(src, "assert share(1, 3) == 0.33\nassert share(2, 3) == 0.67\n")
        self.assertEqual(out, "def share(part, whole):\n    return round(part / whole, 2)\n")

    def test_function_under_another_name_than_the_tests_call(self) -> None:
        src = "def sum_of_squares(xs):\n    return sum(x * x for x in xs)\n"
        out = best(src, "assert squares_sum([1, 2]) == 5\n")
        self.assertEqual(out, "def squares_sum(xs):\n    return sum(x * x for x in xs)\n")

    def test_duplicates_dropped_where_a_collection_is_compared_or_counted(self) -> None:
        src = "def distinct(xs):\n    return len(xs)\n"
        ev = Evidence()
        ev.types = {"xs": {"seq"}}
        self.assertIn("def distinct(xs):\n    return len(set(xs))\n", variants(ops_calls, src, ev))
        same = "def same_letters(a, b):\n    return sorted(a) == sorted(b)\n"
        out = best(same, "assert same_letters('aab', 'ab')\nassert not same_letters('abc', 'ab')\nassert same_letters('ba', 'ab')\nassert not same_letters('a', 'ab')\nassert same_letters('ab', 'abb')\n")
        self.assertEqual(out, "def same_letters(a, b):\n    return sorted(set(a)) == sorted(set(b))\n")


if __name__ == "__main__":
    unittest.main()
