import unittest

from helpers import best
from tracefix_runner.search import ops_syntax


class SyntaxTests(unittest.TestCase):
    def test_missing_colon(self) -> None:
        texts = [t for t, _, _ in ops_syntax.repairs("def f(x)\n    return x\n", 1)]
        self.assertIn("def f(x):\n    return x\n", texts)

    def test_missing_bracket_named_on_the_next_line(self) -> None:
        src = "def f(xs):\n    total = sum(xs\n    return total\n"
        texts = [t for t, _, _ in ops_syntax.repairs(src, 3)]
        self.assertIn("def f(xs):\n    total = sum(xs)\n    return total\n", texts)

    def test_missing_quote(self) -> None:
        texts = [t for t, _, _ in ops_syntax.repairs("def f():\n    return 'hi\n", 2)]
        self.assertIn("def f():\n    return 'hi'\n", texts)

    def test_assignment_in_a_condition(self) -> None:
        texts = [t for t, _, _ in ops_syntax.repairs("def z(x):\n    if x = 0:\n        return True\n    return False\n", 2)]
        self.assertIn("def z(x):\n    if x == 0:\n        return True\n    return False\n", texts)

    def test_syntax_repair_then_a_logic_fix(self) -> None:
        src = "def inc(x)\n    return x - 1\n"
        self.assertEqual(best(src, "assert inc(1) == 2\n"), "def inc(x):\n    return x + 1\n")


if __name__ == "__main__":
    unittest.main()
