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


if __name__ == "__main__":
    unittest.main()
