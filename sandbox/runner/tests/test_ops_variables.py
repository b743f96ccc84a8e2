import unittest

from helpers import best, variants
from tracefix_runner.search import ops_variables
from tracefix_runner.search.edits import Evidence


class VariableTests(unittest.TestCase):
    def test_one_variable_for_another(self) -> None:
        src = "def scale(xs, factor):\n    out = []\n    for x in xs:\n        out.append(x * x)\n    return out\n"
        self.assertIn("def scale(xs, factor):\n    out = []\n    for x in xs:\n        out.append(x * factor)\n    return out\n",
                      variants(ops_variables, src))

    def test_kinds_seen_in_the_run_rule_out_impossible_swaps(self) -> None:
        src = "def label(name, count):\n    return name * 2\n"
        ev = Evidence()
        ev.types = {"name": {"str"}, "count": {"int"}}
        self.assertNotIn("def label(name, count):\n    return count * 2\n", variants(ops_variables, src, ev))

    def test_tuple_order(self) -> None:
        src = "def pair(a, b):\n    return (b, a)\n"
        self.assertIn("def pair(a, b):\n    return (a, b)\n", variants(ops_variables, src))

    def test_end_to_end(self) -> None:
        src = "def rect(w, h):\n    return w * w\n"
        out = best(src, "assert rect(2, 3) == 6\nassert rect(5, 1) == 5\n")
        self.assertIn(out, ("def rect(w, h):\n    return w * h\n", "def rect(w, h):\n    return h * w\n"))

    def test_a_number_where_the_length_of_a_sequence_was_meant(self) -> None:
        src = "def average(xs):\n    total = sum(xs)\n    return total / total\n"
        ev = Evidence()
        ev.types = {"xs": {"seq"}, "total": {"int"}}
        out = variants(ops_variables, src, ev)
        self.assertIn("def average(xs):\n    total = sum(xs)\n    return total / len(xs)\n", out)
        self.assertNotIn("def average(xs):\n    total = sum(xs)\n    return len(xs) / total\n", out)  # not a divisor there

    def test_the_element_at_the_loop_index_where_a_variable_was_meant(self) -> None:
        plain = "def peaks(xs):\n    best = 0\n    for i in range(len(xs)):\n        if best > 0:\n            best = best\n    return best\n"
        ev = Evidence()
        ev.types = {"xs": {"seq"}, "best": {"int"}, "i": {"int"}}
        out = variants(ops_variables, plain, ev)
        self.assertIn(plain.replace("if best > 0", "if xs[i] > 0"), out)
        self.assertFalse(any("xs[xs]" in t or "i[" in t for t in out))
        src = "def count_matches(a, b):\n    same = 0\n    for i in range(len(a)):\n        if same == b[i]:\n            same += 1\n    return same\n"
        tests = "assert count_matches([1, 2, 3], [1, 5, 3]) == 2\nassert count_matches([0, 0], [0, 1]) == 1\nassert count_matches([4], [4]) == 1\n"
        self.assertEqual(best(src, tests), src.replace("if same == b[i]", "if a[i] == b[i]"))



    def test_element_tested_where_its_position_was_meant(self) -> None:
        src = "def every_other(text):\n    out = ''\n    for ch in text:\n        if ord(ch) % 2 == 0:\n            out += ch\n    return out\n"
        fixed = src.replace("for ch in text:", "for i, ch in enumerate(text):").replace("ord(ch) % 2", "i % 2")
        self.assertIn(fixed, variants(ops_variables, src))
        self.assertEqual(best(src, "assert every_other('abcdef') == 'ace'\nassert every_other('xy') == 'x'\n"), fixed)
        comp = "def odd_places(xs):\n    return [x for x in xs if x % 2]\n"
        self.assertIn("def odd_places(xs):\n    return [x for i, x in enumerate(xs) if i % 2]\n", variants(ops_variables, comp))

    def test_no_position_edit_over_a_range_or_a_set(self) -> None:
        src = ("def f(n, s):\n    t = 0\n    for k in range(n):\n        if k % 2:\n            t += k\n"
               "    return t + len([v for v in set(s) if v > 1])\n")
        self.assertFalse(any("enumerate" in t for t in variants(ops_variables, src)))


    def test_loop_condition_that_never_reads_its_counter(self) -> None:
        src = ("def first_vowel_at(word):\n    k = 0\n    while not word.startswith(('a', 'e', 'i', 'o', 'u')):\n"
               "        k += 1\n    return k\n")
        fixed = src.replace("while not word.startswith", "while not word[k:].startswith")
        ev = Evidence()
        ev.types = {"word": {"str"}, "k": {"int"}}
        self.assertIn(fixed, variants(ops_variables, src, ev))
        out = best(src, "assert first_vowel_at('strong') == 3\nassert first_vowel_at('apple') == 0\n")
        self.assertEqual(out, fixed)

    def test_no_stuck_loop_edit_where_the_body_changes_what_the_condition_reads(self) -> None:
        src = "def drain(stack):\n    n = 0\n    while stack:\n        stack.pop()\n        n += 1\n    return n\n"
        ev = Evidence()
        ev.types = {"stack": {"seq"}, "n": {"int"}}
        self.assertFalse(any("stack[" in t for t in variants(ops_variables, src, ev)))


    def test_attribute_used_as_a_bare_name_in_a_method(self) -> None:
        src = ("class Tally:\n    def __init__(self):\n        self.total = 0\n\n    def add(self, x):\n        total += x\n"
               "        return total\n\n    def reset(self):\n        total = 0\n        self.total = total\n")
        fixed = src.replace("        total += x\n        return total", "        self.total += x\n        return self.total")
        out = variants(ops_variables, src)
        self.assertEqual(out.get(fixed), "`total` -> the attribute `self.total`")
        self.assertFalse(any("self.total = self.total" in t for t in out))  # reset's own local stays
        tests = "t = Tally()\nassert t.add(2) == 2\nassert t.add(3) == 5\nt.reset()\nassert t.add(1) == 1\n"
        self.assertEqual(best(src, tests), fixed)

if __name__ == "__main__":
    unittest.main()


class SwappedParamsTests(unittest.TestCase):
    def test_two_parameters_each_used_for_the_other(self) -> None:
        src = "def power(base, exp):\n    result = 1\n    for _ in range(base):\n        result *= exp\n    return result\n"
        fixed = "def power(base, exp):\n    result = 1\n    for _ in range(exp):\n        result *= base\n    return result\n"
        self.assertEqual(variants(ops_variables, src).get(fixed),
                         "`base` and `exp` each used where the other was meant (arguments in the other order)")
        self.assertEqual(best(src, "assert power(2, 5) == 32\nassert power(3, 2) == 9\n"), fixed)

    def test_left_alone_where_a_parameter_is_assigned_or_a_nested_scope_could_rebind(self) -> None:
        for src in ("def f(a, b):\n    a = a + 1\n    return a - b\n", "def f(a, b):\n    g = lambda a: a * b\n    return g(a)\n"):
            self.assertFalse([d for d in variants(ops_variables, src).values() if "each used where the other" in d])


class QuotedNameTests(unittest.TestCase):
    def test_a_variable_written_as_a_string(self) -> None:
        src = "def tally(words):\n    counts = {}\n    for word in words:\n        counts['word'] = counts.get('word', 0) + 1\n    return counts\n"
        proposed = variants(ops_variables, src)
        self.assertIn(src.replace("counts['word'] =", "counts[word] ="), proposed)
        self.assertEqual(best(src, "assert tally(['a', 'b', 'a']) == {'a': 2, 'b': 1}\nassert tally([]) == {}\n"),
                         src.replace("'word'", "word"))

    def test_strings_that_name_nothing_in_scope_or_are_documentation(self) -> None:
        src = 'def f(rows):\n    """rows"""\n    key = 1\n    return [r["name"] for r in rows] + [f"{key}"] + ["for"]\n'
        self.assertFalse([d for d in variants(ops_variables, src).values() if d.startswith("the variable")])
