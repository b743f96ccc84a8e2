import unittest

from helpers import best, fix, variants
from tracefix_runner.search import ops_operators
from tracefix_runner.search.edits import Evidence


class OperatorTests(unittest.TestCase):
    def test_wrong_arithmetic_operator(self) -> None:
        src = "def area(w, h):\n    return w + h\n"
        self.assertIn("def area(w, h):\n    return w * h\n", variants(ops_operators, src))

    def test_no_operator_that_turns_the_expression_into_a_no_op(self) -> None:
        src = "def last(xs):\n    return xs[len(xs) - 1]\n"
        texts = variants(ops_operators, src)
        for noop in ("len(xs) * 1", "len(xs) / 1", "len(xs) // 1", "len(xs) ** 1"):
            self.assertFalse(any(noop in t for t in texts), noop)
        self.assertIn("def last(xs):\n    return xs[len(xs) + 1]\n", texts)
        self.assertIn("def last(xs):\n    return xs[len(xs)]\n", texts)  # the drop, written plainly

    def test_forgotten_accumulation(self) -> None:
        src = "def total(xs):\n    s = 0\n    for x in xs:\n        s = x\n    return s\n"
        self.assertIn("def total(xs):\n    s = 0\n    for x in xs:\n        s += x\n    return s\n", variants(ops_operators, src))

    def test_operands_in_the_wrong_order(self) -> None:
        src = "def diff(a, b):\n    return b - a\n"
        self.assertIn("def diff(a, b):\n    return a - b\n", variants(ops_operators, src))

    def test_caret_written_for_a_power(self) -> None:
        src = "def hypot2(a, b):\n    return a ^ 2 + b ^ 2\n"
        out = best(src, "assert hypot2(3, 4) == 25\nassert hypot2(1, 2) == 5\nassert hypot2(0, 6) == 36\n")
        self.assertEqual(out, "def hypot2(a, b):\n    return a ** 2 + b ** 2\n")

    def test_integer_division_end_to_end(self) -> None:
        src = "def middle(xs):\n    return xs[len(xs) / 2]\n"
        out = best(src, "assert middle([1, 2, 3]) == 2\nassert middle([4, 5, 6, 7, 8]) == 6\n")
        self.assertEqual(out, "def middle(xs):\n    return xs[len(xs) // 2]\n")


    def test_text_built_in_the_wrong_order(self) -> None:
        src = ("def to_base(n, b):\n    digits = '0123456789ABCDEF'\n    out = ''\n    while n > 0:\n"
               "        out = out + digits[n % b]\n        n //= b\n    return out\n")
        ev = Evidence()
        ev.types = {"out": {"str"}, "n": {"int"}}  # what the run of the original saw
        self.assertEqual(variants(ops_operators, src, ev).get(src.replace("out = out + digits[n % b]", "out = digits[n % b] + out")), "swap the operands")
        # and a list built back to front: the swap passes (beside reversing the result)
        src = "def with_head(h, xs):\n    out = [h]\n    for x in xs:\n        out = [x] + out\n    return out\n"
        result = fix(src, "assert with_head(9, [1, 2]) == [9, 1, 2]\nassert with_head(5, [6, 3]) == [5, 6, 3]\n", returnLimit=10)
        self.assertIn(src.replace("out = [x] + out", "out = out + [x]"), [c["source"] for c in result["candidates"] if c["passed"] == c["total"]])
        # numbers add the same either way round: no swap offered
        self.assertFalse([d for d in variants(ops_operators, "def f(a, b):\n    return a + 1\n").values() if d == "swap the operands"])

    def test_value_computed_and_dropped_where_an_assignment_was_meant(self) -> None:
        src = ("def first_space(text):\n    i = 0\n    while i < len(text) and text[i] != ' ':\n        i + 1\n    return i\n")
        texts = variants(ops_operators, src)
        self.assertIn(src.replace("        i + 1\n", "        i += 1\n"), texts)
        flag = "def has_neg(xs):\n    found = False\n    for x in xs:\n        if x < 0:\n            found == True\n    return found\n"
        self.assertIn(flag.replace("found == True", "found = True"), variants(ops_operators, flag))
        # a call or a docstring on a line of its own is not a dropped value of this kind
        self.assertEqual([], [t for t in variants(ops_operators, "def f(xs):\n    '''Doc.'''\n    print(xs)\n    return xs\n") if "=" in t])

    def test_dropped_increment_end_to_end(self) -> None:
        src = ("def count_leading(text, ch):\n    n = 0\n    while n < len(text) and text[n] == ch:\n        n + 1\n    return n\n")
        out = best(src, "assert count_leading('aab', 'a') == 2\nassert count_leading('b', 'a') == 0\nassert count_leading('aaa', 'a') == 3\n")
        self.assertEqual(out, src.replace("        n + 1\n", "        n += 1\n"))



class UnaryTests(unittest.TestCase):
    def test_minus_where_the_bitwise_inversion_was_meant(self) -> None:
        src = "def complements(bits):\n    return [-b for b in bits]\n"
        self.assertEqual(best(src, "assert complements([0, 5, -3]) == [-1, -6, 2]\n"), "def complements(bits):\n    return [~b for b in bits]\n")

    def test_inversion_where_not_was_meant(self) -> None:
        src = "def flip(flag):\n    return ~flag\n"
        proposed = variants(ops_operators, src)
        self.assertIn("def flip(flag):\n    return not flag\n", proposed)
        self.assertIn("def flip(flag):\n    return -flag\n", proposed)
        # an operand that binds looser than the operator keeps its brackets
        self.assertIn("def f(a, b):\n    return ~(a + b)\n", variants(ops_operators, "def f(a, b):\n    return -(a + b)\n"))


if __name__ == "__main__":
    unittest.main()
