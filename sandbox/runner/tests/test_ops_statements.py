import unittest

from helpers import fix, variants
from tracefix_runner.search import ops_statements


class StatementTests(unittest.TestCase):
    def test_statements_in_the_wrong_order(self) -> None:
        src = "def swap_first(xs):\n    a = xs[0]\n    xs[0] = xs[1]\n    xs[1] = a\n    return xs\n"
        out = variants(ops_statements, src)
        self.assertIn("def swap_first(xs):\n    xs[0] = xs[1]\n    a = xs[0]\n    xs[1] = a\n    return xs\n", out)

    def test_return_inside_the_loop_moved_out(self) -> None:
        src = "def total(xs):\n    s = 0\n    for x in xs:\n        s += x\n        return s\n"
        self.assertIn("def total(xs):\n    s = 0\n    for x in xs:\n        s += x\n    return s\n", variants(ops_statements, src))

    def test_excess_statement_end_to_end(self) -> None:
        src = "def unique(xs):\n    out = []\n    for x in xs:\n        if x not in out:\n            out.append(x)\n            out.append(x)\n    return out\n"
        result = fix(src, "assert unique([1, 1, 2]) == [1, 2]\nassert unique([]) == []\n")
        passing = [c["source"] for c in result["candidates"] if c["passed"] == c["total"]]
        self.assertIn("def unique(xs):\n    out = []\n    for x in xs:\n        if x not in out:\n            out.append(x)\n    return out\n", passing)


if __name__ == "__main__":
    unittest.main()
