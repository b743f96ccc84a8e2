import unittest

from helpers import best, variants
from tracefix_runner.search import ops_constants


class ConstantTests(unittest.TestCase):
    def test_literal_off_by_one(self) -> None:
        src = "def minutes(hours):\n    return hours * 61\n"
        self.assertIn("def minutes(hours):\n    return hours * 60\n", variants(ops_constants, src))

    def test_range_bound_written_as_a_person_would(self) -> None:
        src = "def squares(n):\n    return [i * i for i in range(1, n - 1)]\n"
        self.assertIn("def squares(n):\n    return [i * i for i in range(1, n)]\n", variants(ops_constants, src))

    def test_slice_end(self) -> None:
        src = "def head(xs, k):\n    return xs[:k - 1]\n"
        self.assertIn("def head(xs, k):\n    return xs[:k]\n", variants(ops_constants, src))

    def test_index_off_by_one_end_to_end(self) -> None:
        src = "def last(xs):\n    return xs[len(xs)]\n"
        out = best(src, "assert last([1, 2, 3]) == 3\nassert last(['a']) == 'a'\n")
        self.assertEqual(out, "def last(xs):\n    return xs[len(xs) - 1]\n")

    def test_docstrings_are_not_values(self) -> None:
        src = 'def f():\n    """Returns 1."""\n    return 1\n'
        for text in variants(ops_constants, src):
            self.assertIn('"""Returns 1."""', text)


if __name__ == "__main__":
    unittest.main()
