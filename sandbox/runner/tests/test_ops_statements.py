import unittest

from helpers import best, fix, variants
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



class BookkeepingTests(unittest.TestCase):
    def test_a_seen_set_that_is_never_filled(self) -> None:
        src = ("def first_repeat(xs):\n    seen = set()\n    for x in xs:\n        if x in seen:\n            return x\n"
               "    return None\n")
        self.assertEqual(best(src, "assert first_repeat([3, 1, 3, 2]) == 3\nassert first_repeat([1, 2]) is None\n"),
                         src.replace("            return x\n", "            return x\n        seen.add(x)\n"))

    def test_a_list_asked_at_the_top_of_the_loop_is_filled_at_its_end(self) -> None:
        src = ("def dedupe(words):\n    kept = []\n    out = ''\n    for w in words:\n        if w not in kept:\n"
               "            out += w\n        out += ';'\n    return out\n")
        self.assertIn(src.replace("        out += ';'\n", "        out += ';'\n        kept.append(w)\n"), variants(ops_statements, src))

    def test_a_collection_filled_somewhere_is_left_alone(self) -> None:
        for src in ("def f(xs):\n    seen = set()\n    for x in xs:\n        if x in seen:\n            return x\n        seen |= {x}\n",
                    "def f(xs):\n    seen = []\n    for x in xs:\n        if x in seen:\n            return x\n        note(seen, x)\n",
                    "def f(xs, seen):\n    for x in xs:\n        if x in seen:\n            return x\n"):
            self.assertFalse([d for d in variants(ops_statements, src).values() if "never filled" in d], src)


    def test_last_group_handed_over_after_the_loop(self) -> None:
        src = ("def fields(line, sep):\n    out = []\n    cur = ''\n    for ch in line:\n        if ch == sep:\n"
               "            out.append(cur)\n            cur = ''\n        else:\n            cur += ch\n    return out\n")
        fixed = src.replace("    return out", "    out.append(cur)\n    return out")
        out = variants(ops_statements, src)
        self.assertEqual(out.get(fixed), "after this loop, hand over the last `cur`: `out.append(cur)`")
        self.assertIn(src.replace("    return out", "    if cur:\n        out.append(cur)\n    return out"), out)
        tests = "assert fields('a,b', ',') == ['a', 'b']\nassert fields('x,,y', ',') == ['x', '', 'y']\nassert fields('', ',') == ['']\n"
        self.assertEqual(best(src, tests), fixed)

if __name__ == "__main__":
    unittest.main()
