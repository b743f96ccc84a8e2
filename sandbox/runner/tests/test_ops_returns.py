import unittest

from helpers import best, variants
from tracefix_runner.search import ops_returns


class ReturnTests(unittest.TestCase):
    def test_wrong_variable_returned(self) -> None:
        src = "def evens(xs):\n    out = [x for x in xs if x % 2 == 0]\n    return xs\n"
        self.assertIn("def evens(xs):\n    out = [x for x in xs if x % 2 == 0]\n    return out\n", variants(ops_returns, src))

    def test_function_that_falls_off_its_end(self) -> None:
        src = "def doubled(xs):\n    out = []\n    for x in xs:\n        out.append(2 * x)\n"
        self.assertIn("def doubled(xs):\n    out = []\n    for x in xs:\n        out.append(2 * x)\n    return out\n",
                      variants(ops_returns, src))

    def test_end_to_end(self) -> None:
        src = "def count_words(text):\n    words = text.split()\n    n = len(words)\n"
        out = best(src, "assert count_words('a b c') == 3\nassert count_words('') == 0\n")
        self.assertEqual(out, "def count_words(text):\n    words = text.split()\n    n = len(words)\n    return n\n")



    def test_forgotten_return_of_a_recursive_call(self) -> None:
        src = ("def find(xs, t, lo, hi):\n    if lo > hi:\n        return -1\n    mid = (lo + hi) // 2\n    if xs[mid] == t:\n"
               "        return mid\n    if xs[mid] < t:\n        find(xs, t, mid + 1, hi)\n    else:\n        return find(xs, t, lo, mid - 1)\n")
        fixed = src.replace("        find(xs, t, mid + 1, hi)", "        return find(xs, t, mid + 1, hi)")
        self.assertEqual(variants(ops_returns, src).get(fixed), "return `find(xs, t, mid + 1, hi)`")
        tests = "assert find([1, 3, 5, 7], 7, 0, 3) == 3\nassert find([1, 3, 5, 7], 1, 0, 3) == 0\nassert find([2, 4], 3, 0, 1) == -1\n"
        self.assertEqual(best(src, tests), fixed)

    def test_a_call_kept_for_its_effect_is_not_returned(self) -> None:
        src = "def log_all(xs, out):\n    for x in xs:\n        out.append(x)\n        print(x)\n    x + 1\n"
        self.assertFalse(any("return out.append" in t or "return print" in t or "return x + 1" in t for t in variants(ops_returns, src)))

if __name__ == "__main__":
    unittest.main()
