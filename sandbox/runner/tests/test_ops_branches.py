import unittest

from helpers import best, variants
from tracefix_runner.search import ops_branches


class BranchTests(unittest.TestCase):
    def test_if_that_should_be_elif(self) -> None:
        src = "def grade(n):\n    g = 'C'\n    if n >= 90:\n        g = 'A'\n    if n >= 80:\n        g = 'B'\n    return g\n"
        self.assertIn("def grade(n):\n    g = 'C'\n    if n >= 90:\n        g = 'A'\n    elif n >= 80:\n        g = 'B'\n    return g\n",
                      variants(ops_branches, src))

    def test_condition_that_should_not_be_there(self) -> None:
        src = "def clamp(x):\n    if x > 0:\n        x = min(x, 10)\n    return x\n"
        self.assertIn("def clamp(x):\n    x = min(x, 10)\n    return x\n", variants(ops_branches, src))

    def test_missing_break(self) -> None:
        src = "def first_neg(xs):\n    found = None\n    for x in xs:\n        if x < 0:\n            found = x\n    return found\n"
        out = best(src, "assert first_neg([3, -1, -5]) == -1\nassert first_neg([1]) is None\n")
        self.assertEqual(out, "def first_neg(xs):\n    found = None\n    for x in xs:\n        if x < 0:\n            found = x\n            break\n    return found\n")


    def test_a_predicate_loop_answering_the_opposite_question(self) -> None:
        src = ("def is_prime(n):\n    if n < 2:\n        return False\n    for d in range(2, n):\n        if n % d == 0:\n"
               "            return True\n    return False\n")
        out = best(src, "assert is_prime(7) == True\nassert is_prime(9) == False\nassert is_prime(2) == True\nassert is_prime(1) == False\n")
        self.assertEqual(out, src.replace("            return True\n    return False\n", "            return False\n    return True\n"))

    def test_some_where_every_was_meant(self) -> None:
        src = "def all_short(words, k):\n    for w in words:\n        if len(w) <= k:\n            return True\n    return False\n"
        want = "def all_short(words, k):\n    for w in words:\n        if not (len(w) <= k):\n            return False\n    return True\n"
        self.assertEqual(variants(ops_branches, src).get(want), "the other quantifier: return False as soon as one item fails the condition")
        src = "def has_neg(xs):\n    for x in xs:\n        if not x >= 0:\n            return True\n    return False\n"
        self.assertIn("def has_neg(xs):\n    for x in xs:\n        if x >= 0:\n            return False\n    return True\n", variants(ops_branches, src))
        # a loop that does more than decide, or returns the same answer both ways, is left alone
        for other in ("def f(xs):\n    for x in xs:\n        if x:\n            return True\n    return True\n",
                      "def f(xs):\n    for x in xs:\n        if x:\n            return 1\n    return 0\n",
                      "def f(xs):\n    for x in xs:\n        if x:\n            return True\n        print(x)\n    return False\n"):
            self.assertFalse([d for d in variants(ops_branches, other).values() if "answers" in d or "quantifier" in d])

class StopAtFirstFailureTests(unittest.TestCase):
    def test_a_leading_run_counts_items_past_the_first_mismatch(self) -> None:
        src = "def leading_spaces(line):\n    n = 0\n    for ch in line:\n        if ch == ' ':\n            n += 1\n    return n\n"
        fixed = src.replace("            n += 1\n", "            n += 1\n        else:\n            break\n")
        self.assertEqual(variants(ops_branches, src).get(fixed), "stop at the first item that fails the condition")
        self.assertEqual(best(src, "assert leading_spaces('  a b') == 2\nassert leading_spaces('x  ') == 0\n"), fixed)

    def test_not_offered_where_it_cannot_mean_that(self) -> None:
        # an `if` that has an `else`, an `elif`, and one nested below another statement of the loop
        for src in ("def f(xs):\n    n = 0\n    for x in xs:\n        if x:\n            n += 1\n        else:\n            n -= 1\n    return n\n",
                    "def f(xs):\n    n = 0\n    for x in xs:\n        if x > 1:\n            n += 2\n        elif x:\n            n += 1\n    return n\n",
                    "def f(xs):\n    n = 0\n    for x in xs:\n        with open(x) as fh:\n            if fh:\n                n += 1\n    return n\n"):
            self.assertNotIn("stop at the first item that fails the condition", variants(ops_branches, src).values())


class RepeatTests(unittest.TestCase):
    def test_an_if_that_should_repeat(self) -> None:
        src = ("def without(text, banned):\n    chars = list(text)\n    for b in banned:\n        if b in chars:\n"
               "            chars.remove(b)\n    return ''.join(chars)\n")
        fixed = src.replace("        if b in chars:", "        while b in chars:")
        self.assertEqual(variants(ops_branches, src).get(fixed), "repeat while the condition holds (`chars` changes in the body)")
        tests = "assert without('banana', 'a') == 'bnn'\nassert without('kiwi', 'xk') == 'iwi'\n"
        self.assertEqual(best(src, tests), fixed)

    def test_an_if_whose_body_leaves_its_condition_alone_stays(self) -> None:
        src = ("def f(xs, n):\n    out = []\n    if n in xs:\n        out.append(n)\n    if n > 0:\n        n -= 1\n        return n\n"
               "    elif xs:\n        xs.pop()\n    return out\n")
        self.assertFalse([d for d in variants(ops_branches, src).values() if d.startswith("repeat while")])


class ChainOrderTests(unittest.TestCase):
    """An `if`/`elif` chain tested in the wrong order: a later, narrower test shadowed by an earlier one."""

    LEAP = ("def days_in_year(y):\n    if y % 100 == 0:\n        days = 365\n    elif y % 400 == 0:\n        days = 366\n"
            "    elif y % 4 == 0:\n        days = 366\n    else:\n        days = 365\n    return days\n")
    LEAP_FIXED = ("def days_in_year(y):\n    if y % 400 == 0:\n        days = 366\n    elif y % 100 == 0:\n        days = 365\n"
                  "    elif y % 4 == 0:\n        days = 366\n    else:\n        days = 365\n    return days\n")
    GRADE = ("def letter(score):\n    if score >= 70:\n        return 'C'\n    elif score >= 80:  # good\n        return 'B'\n"
             "    elif score >= 90:\n        return 'A'\n    return 'F'\n")

    @staticmethod
    def reorders(src: str) -> dict[str, str]:
        return {t: d for t, d in variants(ops_branches, src).items()
                if d.endswith(" first") or " before " in d or "reverse order" in d}

    def test_a_later_branch_moved_to_the_front_keeps_the_else_last(self) -> None:
        out = self.reorders(self.LEAP)
        self.assertEqual(out.get(self.LEAP_FIXED), "test `y % 400 == 0` first")
        moved = self.LEAP.replace("    if y % 100 == 0:\n        days = 365\n    elif y % 400 == 0:\n        days = 366\n    elif y % 4 == 0:\n        days = 366\n",
                                  "    if y % 4 == 0:\n        days = 366\n    elif y % 100 == 0:\n        days = 365\n    elif y % 400 == 0:\n        days = 366\n")
        self.assertEqual(out.get(moved), "test `y % 4 == 0` first")
        # three branches: two moved to the front, one neighbour swap, the reversal; the `elif`s are not heads
        self.assertEqual(len(out), 4)

    def test_thresholds_written_from_the_wrong_end(self) -> None:
        out = self.reorders(self.GRADE)
        self.assertIn("def letter(score):\n    if score >= 90:\n        return 'A'\n    elif score >= 70:\n        return 'C'\n"
                      "    elif score >= 80:  # good\n        return 'B'\n    return 'F'\n", out)
        reversed_ = ("def letter(score):\n    if score >= 90:\n        return 'A'\n    elif score >= 80:  # good\n        return 'B'\n"
                     "    elif score >= 70:\n        return 'C'\n    return 'F'\n")
        self.assertEqual(out.get(reversed_), "test the chain's branches in the reverse order")
        got = best(self.GRADE, "assert letter(95) == 'A'\nassert letter(85) == 'B'\nassert letter(72) == 'C'\nassert letter(40) == 'F'\n")
        self.assertEqual(got, reversed_)

    def test_shadowed_branch_end_to_end(self) -> None:
        got = best(self.LEAP, "assert days_in_year(2000) == 366\nassert days_in_year(1900) == 365\n"
                              "assert days_in_year(2024) == 366\nassert days_in_year(2023) == 365\n")
        self.assertEqual(got, self.LEAP_FIXED)

    def test_no_reordering_without_a_chain(self) -> None:
        lone = "def sign(x):\n    if x < 0:\n        return -1\n    else:\n        return 1\n"
        self.assertEqual(self.reorders(lone), {})
        # an `if` inside an `else` is a nested test, not an `elif` of the chain
        nested = "def f(x):\n    if x > 10:\n        return 'big'\n    else:\n        if x > 100:\n            return 'huge'\n    return 'small'\n"
        self.assertEqual(self.reorders(nested), {})
        # two separate `if`s are not a chain
        apart = "def f(x):\n    r = 0\n    if x > 1:\n        r = 1\n    if x > 5:\n        r = 5\n    return r\n"
        self.assertEqual(self.reorders(apart), {})
        # a chain too long to question every order of
        long_chain = "def f(x):\n    if x == 0:\n        return 0\n" + "".join(
            f"    elif x == {k}:\n        return {k}\n" for k in range(1, 7)) + "    return -1\n"
        self.assertEqual(self.reorders(long_chain), {})


if __name__ == "__main__":
    unittest.main()
