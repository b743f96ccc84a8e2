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


    def test_a_count_after_the_if_moved_into_it(self) -> None:
        src = ("def average_stars(reviews):\n    total = 0\n    count = 0\n    for r in reviews:\n        if r.get('stars') is not None:\n"
               "            total += r['stars']\n        count += 1\n    return total / count if count else 0.0\n")
        fixed = src.replace("            total += r['stars']\n        count += 1\n", "            total += r['stars']\n            count += 1\n")
        self.assertEqual(variants(ops_statements, src).get(fixed), "move the statement into the if above")
        tests = ("assert average_stars([{'stars': 4}, {'text': 'meh'}, {'stars': 2}]) == 3.0\n"
                 "assert average_stars([{'stars': 5}]) == 5.0\nassert average_stars([]) == 0.0\n")
        self.assertEqual(best(src, tests), fixed)

    def test_a_statement_that_belongs_after_the_if_moved_out(self) -> None:
        src = ("def tally(words, stop):\n    seen = 0\n    kept = []\n    for w in words:\n        if w != stop:\n"
               "            kept.append(w)\n            seen += 1\n    return kept, seen\n")
        fixed = src.replace("            seen += 1\n", "        seen += 1\n")
        self.assertEqual(variants(ops_statements, src).get(fixed), "move the statement out of the if")

    def test_a_way_out_ending_an_if_is_not_moved_out(self) -> None:
        src = "def first_neg(xs):\n    seen = 0\n    for x in xs:\n        if x < 0:\n            y = x\n            return y\n        seen += 1\n    return None\n"
        self.assertFalse([d for d in variants(ops_statements, src).values() if "out of the if" in d or "into the if" in d])
        with_else = "def f(x):\n    if x:\n        a = 1\n        b = 2\n    else:\n        a = 0\n    c = 3\n    return a\n"
        self.assertFalse([d for d in variants(ops_statements, with_else).values() if " if" in d])



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


class EndItemTests(unittest.TestCase):
    def test_the_last_item_a_walk_leaves_out(self) -> None:
        src = ("def join_with(parts, sep):\n    out = []\n    for p in parts[:-1]:\n        out.append(p)\n"
               "        out.append(sep)\n    return out\n")
        fixed = src.replace("    return out\n", "    if parts:\n        out.append(parts[-1])\n    return out\n")
        self.assertEqual(best(src, "assert join_with(['a', 'b'], '-') == ['a', '-', 'b']\nassert join_with([], '-') == []\n"), fixed)

    def test_the_first_item_a_walk_leaves_out(self) -> None:
        src = "def rises(xs):\n    out = []\n    for x in xs[1:]:\n        out.append(x)\n    return out\n"
        self.assertIn(src.replace("    for x", "    out.append(xs[0])\n    for x"), variants(ops_statements, src))

    def test_a_walk_over_the_whole_sequence_gets_none(self) -> None:
        src = "def f(xs):\n    out = []\n    for x in xs[:-2]:\n        out.append(x)\n    for y in xs:\n        out.append(y)\n    return out\n"
        self.assertFalse([d for d in variants(ops_statements, src).values() if "leaves the" in d])


if __name__ == "__main__":
    unittest.main()
