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

    def test_and_written_for_a_bitwise_and(self) -> None:
        src = "def common_bits(xs, ys):\n    return [int(x and y) for x, y in zip(xs, ys)]\n"
        out = variants(ops_compare, src)
        self.assertEqual(out.get(src.replace("int(x and y)", "int(x & y)")), "`and` -> `&` (bitwise)")
        tests = "assert common_bits([12, 5], [10, 3]) == [8, 1]\nassert common_bits([7, 0], [2, 9]) == [2, 0]\n"
        self.assertEqual(best(src, tests), src.replace("int(x and y)", "int(x & y)"))

    def test_no_bitwise_edit_where_and_is_a_condition(self) -> None:
        src = "def both(a, b):\n    if a and b:\n        return 1\n    return 0 if a or b > 2 else -1\n"
        self.assertFalse(any("&" in t or "|" in t for t in variants(ops_compare, src)))

    def test_negated_condition(self) -> None:
        src = "def first_even(xs):\n    for x in xs:\n        if x % 2:\n            return x\n"
        self.assertIn("def first_even(xs):\n    for x in xs:\n        if not (x % 2):\n            return x\n", variants(ops_compare, src))

    def test_end_to_end_keeps_comment(self) -> None:
        src = "def is_adult(age):\n    return age > 18  # the law says 18\n"
        out = best(src, "assert is_adult(18)\nassert not is_adult(17)\nassert is_adult(40)\n")
        self.assertEqual(out, "def is_adult(age):\n    return age >= 18  # the law says 18\n")


if __name__ == "__main__":
    unittest.main()


class MultisetTests(unittest.TestCase):
    def test_same_items_where_repeats_count(self) -> None:
        src = "def same_hand(a, b):\n    return set(a) == set(b)\n"
        fixed = "def same_hand(a, b):\n    return sorted(a) == sorted(b)\n"
        self.assertEqual(variants(ops_compare, src).get(fixed), "compare as sorted lists: repeated items count")
        self.assertEqual(best(src, "assert same_hand([1, 2, 2], [2, 1, 2]) == True\nassert same_hand([1, 1, 2], [1, 2, 2]) == False\n"), fixed)
        # a subset test in that place was an equality; one side only a set is another question
        self.assertIn("def same_hand(a, b):\n    return sorted(a) == sorted(b)\n", variants(ops_compare, src.replace("==", "<=")))
        self.assertFalse([d for d in variants(ops_compare, "def f(a, b):\n    return set(a) == b\n").values() if "sorted" in d])


class RoundTripTests(unittest.TestCase):
    def test_a_root_compared_with_its_number(self) -> None:
        src = "def is_square(n):\n    return int(n ** 0.5) == n\n"
        fixed = "def is_square(n):\n    return int(n ** 0.5) ** 2 == n\n"
        self.assertEqual(variants(ops_compare, src).get(fixed), "raise the root back to the power 2 before comparing")
        self.assertEqual(best(src, "assert is_square(16) == True\nassert is_square(15) == False\nassert is_square(1) == True\n"), fixed)
        src = "import math\n\ndef is_cube(a):\n    a = abs(a)\n    return a == round(a ** (1 / 3))\n"
        self.assertEqual(best(src, "assert is_cube(27) == True\nassert is_cube(-8) == True\nassert is_cube(9) == False\n"),
                         src.replace("a == round(a ** (1 / 3))", "a == round(a ** (1 / 3)) ** 3"))
        src = "import math\n\ndef square(n):\n    return math.isqrt(n) != n\n"
        self.assertIn(src.replace("math.isqrt(n) != n", "math.isqrt(n) ** 2 != n"), variants(ops_compare, src))

    def test_no_power_where_the_root_is_compared_with_something_else(self) -> None:
        src = "def f(n, m):\n    return int(n ** 0.5) == m\n"
        self.assertFalse([d for d in variants(ops_compare, src).values() if d.startswith("raise the root")])
        src = "def f(n):\n    return int(n ** 2) == n\n"
        self.assertFalse([d for d in variants(ops_compare, src).values() if d.startswith("raise the root")])
