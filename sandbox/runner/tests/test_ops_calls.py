import unittest

from helpers import best, fix, variants
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


class ConversionTests(unittest.TestCase):
    """Values of another type than the code or the tests need."""

    def test_an_int_where_a_call_needs_a_string(self) -> None:
        src = "def from_octal(n):\n    return int(n, 8)\n"
        self.assertEqual(best(src, "assert from_octal(17) == 15\nassert from_octal(7) == 7\n"),
                         "def from_octal(n):\n    return int(str(n), 8)\n")

    def test_a_string_where_a_number_was_needed(self) -> None:
        src = "def stars(n):\n    return ['*' for _ in range(n)]\n"
        self.assertEqual(best(src, "assert stars('3') == ['*', '*', '*']\nassert stars('0') == []\n"),
                         "def stars(n):\n    return ['*' for _ in range(int(n))]\n")

    def test_a_list_used_as_a_key(self) -> None:
        src = "def tally(rows):\n    seen = {}\n    for r in rows:\n        seen[r] = seen.get(tuple(r), 0) + 1\n    return len(seen)\n"
        out = best(src, "assert tally([[1, 2], [1, 2], [3]]) == 2\nassert tally([]) == 0\n")
        self.assertEqual(out, "def tally(rows):\n    seen = {}\n    for r in rows:\n        seen[tuple(r)] = seen.get(tuple(r), 0) + 1\n    return len(seen)\n")

    def test_only_on_the_line_that_raised_and_only_what_the_message_asks(self) -> None:
        ev = Evidence()
        ev.error_types = {2: "TypeError"}
        ev.error_messages = {2: "int() can't convert non-string with explicit base"}
        src = "def f(a, b):\n    x = int(a, 2)\n    return x + len(b)\n"
        texts = variants(ops_calls, src, ev)
        self.assertIn("def f(a, b):\n    x = int(str(a), 2)\n    return x + len(b)\n", texts)
        self.assertFalse(any("str(b)" in t or "int(int(" in t or "tuple(" in t for t in texts))

    def test_the_result_the_tests_wrote_as_a_string_or_a_tuple(self) -> None:
        src = "def evens(xs):\n    out = [x for x in xs if x % 2 == 0]\n    return out\n"
        self.assertEqual(best(src, "assert evens([1, 2, 4]) == '[2, 4]'\nassert evens([]) == '[]'\n"),
                         "def evens(xs):\n    out = [x for x in xs if x % 2 == 0]\n    return str(out)\n")
        self.assertEqual(best(src, "assert evens([1, 2, 4]) == (2, 4)\nassert evens([3]) == ()\n"),
                         "def evens(xs):\n    out = [x for x in xs if x % 2 == 0]\n    return tuple(out)\n")
        ev = Evidence()
        ev.expected, ev.actual = [(2, 4)], [(2, 4, 6)]  # a tuple for a tuple: no conversion is the fix
        self.assertFalse(any("tuple(out)" in t for t in variants(ops_calls, src, ev)))

    def test_every_match_returned_where_the_tests_expect_one(self) -> None:
        src = "def first_negative(xs):\n    found = [x for x in xs if x < 0]\n    return found\n"
        self.assertEqual(best(src, "assert first_negative([3, -2, 5, -7]) == -2\nassert first_negative([-1, -1, 0]) == -1\n"),
                         src.replace("return found", "return found[0]"))
        ev = Evidence()
        ev.expected, ev.actual = [5], [[1, 5]]
        self.assertEqual(variants(ops_calls, src, ev).get(src.replace("return found", "return found[-1]")), "return the last match, not all of them")
        ev.expected, ev.actual = [[1]], [[1, 5]]  # a list was expected: no single item is the answer
        self.assertFalse([d for d in variants(ops_calls, src, ev).values() if "match" in d])

    def test_a_dict_where_the_tests_expect_a_list_of_its_pairs_keys_or_values(self) -> None:
        src = "def tally(words):\n    counts = {}\n    for w in sorted(words):\n        counts[w] = counts.get(w, 0) + 1\n    return counts\n"
        self.assertEqual(best(src, "assert tally(['b', 'a', 'b']) == [('a', 1), ('b', 2)]\n"),
                         src.replace("return counts", "return list(counts.items())"))
        ev = Evidence()
        ev.expected, ev.actual = [["a", "b"]], [{"a": 1, "b": 2}]
        self.assertEqual(variants(ops_calls, src, ev).get(src.replace("return counts", "return list(counts.keys())")),
                         "return the dict's keys as a list")
        ev.expected, ev.actual = [[("a", 2)]], [{"a": 1}]  # other content: no view of it is the answer
        self.assertFalse([d for d in variants(ops_calls, src, ev).values() if "as a list" in d])


class RenameTests(unittest.TestCase):
    def test_the_one_uncalled_function_takes_the_name_the_tests_call_and_the_search_goes_on(self) -> None:
        src = ("def helper(c):\n    return c.isdigit()\n\n\ndef count_digit(s, i=0):\n    if i >= len(s):\n        return 0\n"
               "    return int(helper(s[i])) + count_digit(s, i + 2)\n")
        tests = "assert digits('a1b2') == 2\nassert digits('123') == 3\n"
        renamed = ops_calls.rename_to_called(src, tests, (1, 8))
        assert renamed is not None
        self.assertIn("def digits(s, i=0):", renamed[0])
        self.assertIn("+ digits(s, i + 2)", renamed[0])
        self.assertEqual(best(src, tests), src.replace("count_digit", "digits").replace("i + 2", "i + 1"))

    def test_not_when_two_functions_could_be_it_or_the_definition_is_frozen(self) -> None:
        two = "def a(x):\n    return x\n\n\ndef b(x):\n    return x\n"
        self.assertIsNone(ops_calls.rename_to_called(two, "assert c(1) == 1\n", (1, 6)))
        one = "def a(x):\n    return x\n"
        self.assertIsNone(ops_calls.rename_to_called(one, "assert c(1) == 1\n", (2, 2)))
        self.assertIsNone(ops_calls.rename_to_called(one, "assert c(1) == d(1)\n", (1, 2)))



class EvidenceShapedTests(unittest.TestCase):
    """Edits the failing run's evidence calls for: the result's extent, the types a TypeError names."""

    def test_a_result_one_element_too_long_at_an_end_is_cut_where_the_comparison_shows_it(self) -> None:
        src = "def diffs(xs):\n    return [b - a for a, b in zip([0] + xs, xs)]\n"
        ev = Evidence()
        ev.expected, ev.actual = [[1, 2]], [[1, 1, 2]]
        out = variants(ops_calls, src, ev)
        self.assertEqual(out.get("def diffs(xs):\n    return [b - a for a, b in zip([0] + xs, xs)][1:]\n"), "drop its first element")
        self.assertNotIn("def diffs(xs):\n    return [b - a for a, b in zip([0] + xs, xs)][:-1]\n", out)
        ev.expected, ev.actual = [["a", "b"]], [["x", "a", "b", "c"]]  # two too many: not this edit
        self.assertFalse([d for d in variants(ops_calls, src, ev).values() if d.startswith("drop its")])
        src = "def running_totals(xs):\n    out = [0]\n    for x in xs:\n        out.append(out[-1] + x)\n    return out\n"
        self.assertEqual(best(src, "assert running_totals([1, 2, 3]) == [1, 3, 6]\nassert running_totals([5]) == [5]\n"),
                         src.replace("return out", "return out[1:]"))

    def test_a_collection_of_mixed_types_is_filtered_to_the_type_the_tests_expect(self) -> None:
        src = "def smallest(vals):\n    return min(vals)\n"
        self.assertEqual(best(src, "assert smallest(['a', 3, 2, 'b']) == 2\nassert smallest([5, 'x']) == 5\n"),
                         "def smallest(vals):\n    return min(x for x in vals if isinstance(x, int))\n")
        src = "def total(items):\n    x = 0\n    return x + sum(items)\n"  # `x` is taken: another name
        self.assertEqual(best(src, "assert total([1, 'a', 2]) == 3\n"),
                         "def total(items):\n    x = 0\n    return x + sum(v for v in items if isinstance(v, int))\n")
        src = "def order(xs):\n    return sorted(xs, reverse=True)\n"
        self.assertEqual(best(src, "assert order([-3, 'a', 1]) == [1, -3]\n"),
                         "def order(xs):\n    return sorted((x for x in xs if isinstance(x, int)), reverse=True)\n")
        self.assertFalse([d for d in variants(ops_calls, "def smallest(vals):\n    return min(vals)\n").values() if d.startswith("only the")])


    def test_result_of_a_call_that_changes_nothing_is_kept(self) -> None:
        src = "def clean(words):\n    out = []\n    for w in words:\n        w.strip()\n        out.append(w)\n    return out\n"
        fixed = src.replace("        w.strip()", "        w = w.strip()")
        self.assertEqual(variants(ops_calls, src).get(fixed), "keep the result: `w = w.strip()`")
        result = fix(src, "assert clean([' a', 'b ']) == ['a', 'b']\nassert clean(['c']) == ['c']\n", returnLimit=10)
        self.assertIn(fixed, [c["source"] for c in result["candidates"] if c["passed"] == c["total"]])
        src2 = "def median(xs):\n    sorted(xs)\n    return xs[len(xs) // 2]\n"
        out = variants(ops_calls, src2)
        self.assertIn(src2.replace("    sorted(xs)", "    xs = sorted(xs)"), out)
        self.assertIn(src2.replace("    sorted(xs)", "    xs.sort()"), out)

    def test_a_call_kept_for_its_effect_is_left_alone(self) -> None:
        src = "def log(xs, out):\n    out.append(len(xs))\n    print(xs)\n    return out\n"
        self.assertFalse(any("= " in t.split("\n")[1] or "= print" in t for t in variants(ops_calls, src)))


    def test_aggregate_of_the_whole_collection_inside_its_loop_becomes_the_running_one(self) -> None:
        src = ("def highs(temps):\n    out = []\n    best = None\n    for t in temps:\n        if best is None:\n            best = t\n"
               "        else:\n            best = max(temps)\n        out.append(best)\n    return out\n")
        fixed = src.replace("best = max(temps)", "best = max(best, t)")
        self.assertEqual(variants(ops_calls, src).get(fixed), "`max(temps)` -> the running `max(best, t)`")
        self.assertEqual(best(src, "assert highs([3, 1, 4, 1, 5]) == [3, 3, 4, 4, 5]\nassert highs([2, 2]) == [2, 2]\n"), fixed)


class ExtendedBoundTests(unittest.TestCase):
    def test_a_bound_overwritten_where_it_should_only_grow(self) -> None:
        src = ("def cover(spans):\n    spans = sorted(spans)\n    out = [list(spans[0])]\n    for lo, hi in spans[1:]:\n"
               "        if lo <= out[-1][1]:\n            out[-1][1] = hi\n        else:\n            out.append([lo, hi])\n    return out\n")
        texts = variants(ops_calls, src)
        self.assertIn(src.replace("out[-1][1] = hi", "out[-1][1] = max(out[-1][1], hi)"), texts)
        out = best(src, "assert cover([[1, 9], [2, 4], [5, 12]]) == [[1, 12]]\nassert cover([[0, 1], [3, 4]]) == [[0, 1], [3, 4]]\n"
                        "assert cover([[1, 5], [2, 3]]) == [[1, 5]]\n")
        self.assertEqual(out, src.replace("out[-1][1] = hi", "out[-1][1] = max(out[-1][1], hi)"))

    def test_the_running_maximum_idiom_is_left_alone(self) -> None:
        src = "def top(xs):\n    best = xs[0]\n    for x in xs:\n        if x > best:\n            best = x\n    return best\n"
        self.assertFalse([d for d in variants(ops_calls, src).values() if "max(best" in d or "min(best" in d])


class SplitLimitTests(unittest.TestCase):
    def test_a_value_that_holds_the_separator(self) -> None:
        src = ("def headers(lines):\n    out = {}\n    for line in lines:\n        name, value = line.split(': ')\n"
               "        out[name] = value\n    return out\n")
        fixed = src.replace("line.split(': ')", "line.split(': ', 1)")
        texts = variants(ops_calls, src)
        self.assertEqual(texts.get(fixed), "split at most 1 time")
        self.assertIn(src.replace("line.split(': ')", "line.rsplit(': ', 1)"), texts)
        self.assertEqual(best(src, "assert headers(['Host: a']) == {'Host': 'a'}\nassert headers(['Note: x: y']) == {'Note': 'x: y'}\n"), fixed)
        # three names: at most two splits
        three = "def parts(s):\n    a, b, c = s.split('/')\n    return c\n"
        self.assertIn(three.replace("s.split('/')", "s.split('/', 2)"), variants(ops_calls, three))
        # a starred target takes the rest already
        self.assertFalse([d for d in variants(ops_calls, "def f(s):\n    a, *b = s.split('/')\n    return b\n").values() if "at most" in d])

if __name__ == "__main__":
    unittest.main()


class ShadowedBuiltinTests(unittest.TestCase):
    def test_a_function_named_after_a_builtin_that_calls_it(self) -> None:
        src = "def max(a, b, c):\n    return max([a, b, c]) - min(a, b, c)\n"
        fixed = "import builtins\ndef max(a, b, c):\n    return builtins.max([a, b, c]) - min(a, b, c)\n"
        out = variants(ops_calls, src)
        self.assertEqual(out.get(fixed), "call the built-in `max`, which the function's own name hides")
        self.assertEqual(best(src, "assert max(1, 5, 3) == 4\n"), fixed)
        # a call with the function's own arity may be recursion: left alone
        rec = "def sum(xs, i):\n    return 0 if i == len(xs) else xs[i] + sum(xs, i + 1)\n"
        self.assertFalse([d for d in variants(ops_calls, rec).values() if "hides" in d])


class FlattenedTests(unittest.TestCase):
    def test_a_count_over_a_list_of_lists_that_raised(self) -> None:
        src = "from collections import Counter\n\ndef tally(groups):\n    return dict(Counter(groups))\n"
        self.assertEqual(best(src, "assert tally([['a', 'b'], ['a']]) == {'a': 2, 'b': 1}\n"),
                         src.replace("Counter(groups)", "Counter(x for row in groups for x in row)"))


class KeyOrderTests(unittest.TestCase):
    def test_the_yes_no_part_of_a_sort_key_ordered_the_wrong_way(self) -> None:
        src = "def words_first(items):\n    return sorted(items, key=lambda x: (isinstance(x, str), x))\n"
        fixed = src.replace("(isinstance(x, str), x)", "(not isinstance(x, str), x)")
        self.assertEqual(variants(ops_calls, src).get(fixed), "the other group first: `not isinstance(x, str)` in the sort key")
        self.assertEqual(best(src, "assert words_first([3, 'b', 1, 'a']) == ['a', 'b', 1, 3]\n"), fixed)
        src = "def odd_last(xs):\n    return sorted(xs, key=lambda x: x % 2 == 0)\n"
        self.assertIn("def odd_last(xs):\n    return sorted(xs, key=lambda x: not (x % 2 == 0))\n", variants(ops_calls, src))


class RepeatedWholeTests(unittest.TestCase):
    def test_a_sequence_repeated_as_elements_where_whole_copies_were_meant(self) -> None:
        src = "def copies(row, n):\n    return row * n\n"
        self.assertEqual(best(src, "assert copies((1, 2), 2) == ((1, 2), (1, 2))\n"), "def copies(row, n):\n    return (row,) * n\n")
        ev = Evidence()
        ev.expected, ev.actual = [(1, 2, 1, 2)], [(1, 2)]  # the elements repeated was right: nothing to nest
        self.assertFalse([d for d in variants(ops_calls, src, ev).values() if "whole item" in d])


class TextAndBytesTests(unittest.TestCase):
    def test_text_where_bytes_were_wanted(self) -> None:
        src = "import hashlib\n\ndef digest(text):\n    return hashlib.sha1(text).hexdigest()[:8]\n"
        self.assertEqual(best(src, "assert digest('abc') == 'a9993e36'\n"),
                         src.replace("sha1(text)", "sha1(text.encode())"))

    def test_a_quoted_name_and_its_encoding_together(self) -> None:
        src = "import hashlib\n\ndef digest(text):\n    return hashlib.sha1('text').hexdigest()[:8]\n"
        self.assertEqual(best(src, "assert digest('abc') == 'a9993e36'\nassert digest('') == 'da39a3ee'\n"),
                         src.replace("sha1('text')", "sha1(text.encode())"))

    def test_bytes_where_text_was_wanted(self) -> None:
        src = "def greet(raw):\n    return 'hi ' + raw\n"
        self.assertEqual(best(src, "assert greet(b'bo') == 'hi bo'\n"), src.replace("+ raw", "+ raw.decode()"))
