import unittest

from helpers import best, fix
from tracefix_runner.search import ops_imports


class MissingImportTests(unittest.TestCase):
    def test_names_the_standard_library_import_for_a_name_never_bound(self) -> None:
        src = "def f(xs: List[int]) -> int:\n    return max(Counter(xs).values()) + math.floor(0.5)\n"
        self.assertEqual(ops_imports.missing(src),
                         ["from typing import List", "from collections import Counter", "import math"])

    def test_a_name_the_program_or_the_tests_bind_is_not_missing(self) -> None:
        self.assertEqual(ops_imports.missing("import collections as math\ndef f(xs, reduce):\n    for deque in xs:\n        pass\n    return math, reduce, deque\n"), [])
        self.assertEqual(ops_imports.missing("def f(count):\n    return count + 1\n"), [])
        self.assertEqual(ops_imports.missing("def f(xs):\n    return Counter(xs)\n", "from collections import Counter\n"), [])
        # unknown names are not guessed at (no third-party packages)
        self.assertEqual(ops_imports.missing("def f(a):\n    return np.sum(a)\n"), [])

    def test_goes_after_the_module_docstring_or_at_the_start_of_an_editable_body(self) -> None:
        src = '"""Tools."""\nfrom __future__ import annotations\n\ndef f(xs):\n    return Counter(xs)\n'
        text, at, added = ops_imports.add_imports(src, None, (1, 5)) or ("", 0, [])
        self.assertEqual(at, 3)
        self.assertEqual(text, src.replace("annotations\n", "annotations\nfrom collections import Counter\n"))
        # a frozen signature above the editable body: the import goes inside the body, indented
        body = "def f(xs):\n    return sqrt(xs)\n"
        text, at, _ = ops_imports.add_imports(body, None, (2, 2)) or ("", 0, [])
        self.assertEqual(text, "def f(xs):\n    from math import sqrt\n    return sqrt(xs)\n")

    def test_the_search_adds_the_import_and_then_finds_the_bug_behind_it(self) -> None:
        src = "def top(words):\n    return Counter(words).most_common(1)[0][1] - 1\n"
        self.assertEqual(best(src, "assert top(['a', 'b', 'a']) == 2\n"),
                         "from collections import Counter\ndef top(words):\n    return Counter(words).most_common(1)[0][1]\n")
        alone = fix("def root(x):\n    return sqrt(x)\n", "assert root(9) == 3\n")
        self.assertEqual(alone["candidates"][0]["source"], "from math import sqrt\ndef root(x):\n    return sqrt(x)\n")
        self.assertEqual(alone["candidates"][0]["edits"][0], {"line": 1, "kind": "import", "description": "add `from math import sqrt`", "before": ""})


class AliasTests(unittest.TestCase):
    def test_a_module_used_under_its_usual_short_name(self) -> None:
        src = "def smallest(xs, k):\n    return hq.nsmallest(k, xs)\n"
        self.assertEqual(ops_imports.missing(src), ["import heapq as hq"])
        self.assertEqual(best(src, "assert smallest([5, 1, 4], 2) == [1, 4]\n"),
                         "import heapq as hq\ndef smallest(xs, k):\n    return hq.nsmallest(k, xs)\n")

    def test_no_alias_for_a_variable_a_module_without_the_attribute_or_two_candidates(self) -> None:
        self.assertEqual(ops_imports.missing("def f(xs):\n    return hq.append(1) or hq\n"), [])
        self.assertEqual(ops_imports.missing("def f():\n    return hq.no_such_function()\n"), [])
        self.assertEqual(ops_imports.missing("def f(x):\n    return mt.sqrt(x)\n"), ["import math as mt"])
        self.assertEqual(ops_imports.missing("def f(x):\n    return s.x\n"), [])


if __name__ == "__main__":
    unittest.main()
