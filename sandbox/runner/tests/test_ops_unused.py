import unittest

from helpers import best, variants
from tracefix_runner.search import ops_unused
from tracefix_runner.search.edits import Evidence


def typed(**kinds: set[str]) -> Evidence:
    ev = Evidence()
    ev.types = dict(kinds)
    return ev


class UnreadLoopVariableTests(unittest.TestCase):
    SRC = ("def shared_tags(mine, theirs):\n"
           "    both = []\n"
           "    for tag in mine:\n"
           "        for other in theirs:\n"
           "            both.append(tag)\n"
           "    return both\n")

    def test_the_body_is_guarded_by_a_comparison_with_the_unread_variable(self) -> None:
        out = variants(ops_unused, self.SRC, typed(tag={"str"}, other={"str"}, both={"seq"}, mine={"seq"}, theirs={"seq"}))
        guarded = self.SRC.replace("            both.append(tag)\n", "            if other == tag:\n                both.append(tag)\n")
        self.assertIn(guarded, out)
        self.assertIn(guarded.replace("==", "!="), out)
        # never compared with the list it appends to
        self.assertFalse(any("other == both" in text for text in out))

    def test_a_loop_that_reads_its_variable_is_left_alone(self) -> None:
        src = "def total(xs, ys):\n    t = 0\n    for x in xs:\n        for y in ys:\n            t += x * y\n    return t\n"
        self.assertFalse(any("if " in text for text in variants(ops_unused, src)))

    def test_the_search_finds_it(self) -> None:
        tests = ("assert shared_tags(['a', 'b', 'c'], ['c', 'a']) == ['a', 'c']\n"
                 "assert shared_tags(['x'], ['y']) == []\n")
        out = best(self.SRC, tests)
        self.assertIsNotNone(out)
        assert out is not None
        ns: dict[str, object] = {}
        exec(out, ns)  # noqa: S102 - our own example program
        self.assertEqual(ns["shared_tags"](["q", "r"], ["r", "s", "q"]), ["q", "r"])  # type: ignore[operator]


class UnreadParameterTests(unittest.TestCase):
    def test_an_unread_int_parameter_bounds_a_sequence(self) -> None:
        src = "def top_scores(scores, n):\n    ranked = sorted(scores, reverse=True)\n    return ranked\n"
        out = variants(ops_unused, src, typed(scores={"seq"}, n={"int"}, ranked={"seq"}))
        self.assertIn("def top_scores(scores, n):\n    ranked = sorted(scores, reverse=True)\n    return ranked[:n]\n", out)
        self.assertIn("def top_scores(scores, n):\n    ranked = sorted(scores[:n], reverse=True)\n    return ranked\n", out)
        self.assertIn("def top_scores(scores, n):\n    ranked = sorted(scores, reverse=True)\n    return ranked[n:]\n", out)

    def test_a_parameter_that_is_read_or_not_an_int_is_left_alone(self) -> None:
        src = "def first(xs, n, label):\n    return xs[:n]\n"
        self.assertEqual(variants(ops_unused, src, typed(xs={"seq"}, n={"int"}, label={"str"})), {})

    def test_the_search_finds_it(self) -> None:
        src = "def top_scores(scores, n):\n    ranked = sorted(scores, reverse=True)\n    return ranked\n"
        tests = "assert top_scores([3, 9, 4, 7], 2) == [9, 7]\nassert top_scores([1, 5], 1) == [5]\n"
        self.assertEqual(best(src, tests), "def top_scores(scores, n):\n    ranked = sorted(scores, reverse=True)\n    return ranked[:n]\n")


class NeverUpdatedTests(unittest.TestCase):
    SRC = ("def split_signs(xs):\n"
           "    pos = 0\n"
           "    neg = 0\n"
           "    for x in xs:\n"
           "        if x > 0:\n"
           "            pos += 1\n"
           "    return pos, neg\n")

    def test_the_missing_else_gets_the_siblings_update(self) -> None:
        out = variants(ops_unused, self.SRC)
        self.assertIn(self.SRC.replace("            pos += 1\n", "            pos += 1\n        else:\n            neg += 1\n"), out)
        self.assertIn(self.SRC.replace("            pos += 1\n", "            pos += 1\n            neg += 1\n"), out)

    def test_list_accumulators_and_method_updates(self) -> None:
        src = ("def partition(words):\n"
               "    short = []\n"
               "    long = []\n"
               "    for w in words:\n"
               "        if len(w) < 4:\n"
               "            short.append(w)\n"
               "    return short, long\n")
        out = variants(ops_unused, src)
        self.assertIn(src.replace("            short.append(w)\n", "            short.append(w)\n        else:\n            long.append(w)\n"), out)

    def test_counters_that_both_change_are_left_alone(self) -> None:
        src = "def f(xs):\n    a = 0\n    b = 0\n    for x in xs:\n        a += x\n        b += 1\n    return a / b\n"
        self.assertEqual(variants(ops_unused, src), {})

    def test_the_search_finds_it(self) -> None:
        tests = "assert split_signs([1, -2, 3]) == (2, 1)\nassert split_signs([-1, -4]) == (0, 2)\n"
        self.assertEqual(best(self.SRC, tests),
                         self.SRC.replace("            pos += 1\n", "            pos += 1\n        else:\n            neg += 1\n"))


class StuckWhileTests(unittest.TestCase):
    SRC = ("def countdown(n):\n"
           "    out = []\n"
           "    while n > 0:\n"
           "        out.append(n)\n"
           "    return out\n")

    def test_the_missing_step_is_proposed_both_ways(self) -> None:
        out = variants(ops_unused, self.SRC, typed(n={"int"}, out={"seq"}))
        self.assertIn(self.SRC.replace("        out.append(n)\n", "        out.append(n)\n        n -= 1\n"), out)
        self.assertIn(self.SRC.replace("        out.append(n)\n", "        out.append(n)\n        n += 1\n"), out)

    def test_a_loop_that_steps_or_breaks_is_left_alone(self) -> None:
        steps = "def f(n):\n    while n > 0:\n        n //= 2\n    return n\n"
        breaks = "def g(xs):\n    i = 0\n    while i < len(xs):\n        if xs[i]:\n            break\n    return i\n"
        self.assertEqual(variants(ops_unused, steps), {})
        self.assertEqual(variants(ops_unused, breaks), {})

    def test_the_search_finds_it_although_the_original_never_ends(self) -> None:
        tests = "assert countdown(3) == [3, 2, 1]\nassert countdown(0) == []\n"
        self.assertEqual(best(self.SRC, tests), self.SRC.replace("        out.append(n)\n", "        out.append(n)\n        n -= 1\n"))



class UnreadCollectionTests(unittest.TestCase):
    def test_a_list_of_allowed_values_that_is_never_checked(self) -> None:
        src = ("def valid_image(name):\n    kinds = ['png', 'jpg', 'gif']\n    parts = name.split('.')\n"
               "    if len(parts) != 2:\n        return False\n    if not parts[0]:\n        return False\n    return True\n")
        tests = "assert valid_image('cat.png') == True\nassert valid_image('cat.exe') == False\nassert valid_image('.png') == False\n"
        self.assertEqual(best(src, tests), src.replace("    return True\n", "    if parts[1] not in kinds:\n        return False\n    return True\n"))

    def test_a_list_that_is_read_or_a_function_without_a_rejection_gets_none(self) -> None:
        ev = typed(word={"str"}, parts={"seq"})
        read = "def f(word):\n    stop = ['a', 'the']\n    if word in stop:\n        return None\n    return word\n"
        self.assertFalse([d for d in variants(ops_unused, read, ev).values() if "is never read" in d])
        no_reject = "def f(word):\n    stop = ['a', 'the']\n    return word.upper()\n"
        self.assertFalse([d for d in variants(ops_unused, no_reject, ev).values() if "is never read" in d])
        unread = "def f(word):\n    stop = ['a', 'the']\n    if not word:\n        return ''\n    return word.upper()\n"
        self.assertIn("def f(word):\n    stop = ['a', 'the']\n    if not word:\n        return ''\n    if word in stop:\n        return ''\n"
                      "    return word.upper()\n", variants(ops_unused, unread, ev))


if __name__ == "__main__":
    unittest.main()
