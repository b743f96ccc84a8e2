import ast
import unittest

from helpers import best, variants
from tracefix_runner.search import ops_calls, ops_copies
from tracefix_runner.search.edits import Context, Evidence, Source, apply_edits, numbers_of


def with_copies(source: str) -> dict[str, str]:
    """Edits of ops_calls, then ops_copies over them: {program: description}."""
    tree = ast.parse(source)
    ev = Evidence()
    ev.numbers = numbers_of(source)
    ctx = Context(Source(source), tree, (1, len(source.splitlines())), ev)
    ops_calls.generate(ctx)
    ops_copies.generate(ctx)
    return {apply_edits(source, [e]): e.desc for e in ctx.edits}


class CopiesTests(unittest.TestCase):
    SRC = ("def widest_gap(pairs):\n    best = 0\n    for p in pairs:\n        if p[1] - p[0] > best:\n"
           "            best = p[1] - p[0]\n    return best\n")

    def test_a_fix_applied_at_every_copy_of_an_expression_written_twice(self) -> None:
        fixed = self.SRC.replace("p[1] - p[0]", "abs(p[1] - p[0])")
        self.assertEqual(with_copies(self.SRC).get(fixed), "wrap in `abs()`, at every copy of `p[1] - p[0]`")
        self.assertEqual(best(self.SRC, "assert widest_gap([(3, 5), (9, 2), (1, 1)]) == 7\nassert widest_gap([(1, 4)]) == 3\n"), fixed)

    def test_no_copy_no_extra_edit(self) -> None:
        src = "def gap(p):\n    return p[1] - p[0]\n"
        self.assertFalse([d for d in with_copies(src).values() if "every copy" in d])
        self.assertFalse([d for d in variants(ops_copies, src).values()])


if __name__ == "__main__":
    unittest.main()
