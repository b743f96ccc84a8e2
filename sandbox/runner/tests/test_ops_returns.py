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

    def test_a_formatted_answer_computed_and_dropped(self) -> None:
        src = ("def label(name, qty):\n    if qty <= 0:\n        return None\n    f'{name} x{qty}'\n")
        fixed = src.replace("    f'{name}", "    return f'{name}")
        self.assertIn(fixed, variants(ops_returns, src))
        self.assertEqual(best(src, "assert label('pen', 2) == 'pen x2'\nassert label('ink', 0) is None\n"), fixed)
        src = "def evens(xs):\n    if not xs:\n        return []\n    [x for x in xs if x % 2 == 0]\n"
        self.assertIn(src.replace("    [x for", "    return [x for"), variants(ops_returns, src))

    def test_a_call_kept_for_its_effect_is_not_returned(self) -> None:
        src = "def log_all(xs, out):\n    for x in xs:\n        out.append(x)\n        print(x)\n    x + 1\n"
        self.assertFalse(any("return out.append" in t or "return print" in t or "return x + 1" in t for t in variants(ops_returns, src)))


class PrintedTests(unittest.TestCase):
    def test_an_answer_printed_instead_of_returned(self) -> None:
        src = "def mean(xs):\n    total = sum(xs)\n    print(total / len(xs))\n"
        fixed = "def mean(xs):\n    total = sum(xs)\n    return total / len(xs)\n"
        self.assertEqual(variants(ops_returns, src).get(fixed), "return `total / len(xs)` instead of printing it")
        self.assertEqual(best(src, "assert mean([1, 2, 3]) == 2\nassert mean([4]) == 4\n"), fixed)

    def test_prints_beside_returns_are_left_alone(self) -> None:
        src = "def mean(xs):\n    print('xs =', xs)\n    print(len(xs))\n    return sum(xs) / len(xs)\n"
        self.assertFalse([d for d in variants(ops_returns, src).values() if "printing" in d])


class FoldedTests(unittest.TestCase):
    def test_a_recursive_answer_dropped_where_it_was_to_join_the_result(self) -> None:
        src = ("def leaves(tree):\n    found = []\n    for child in tree:\n        if isinstance(child, tuple):\n"
               "            leaves(child)\n        else:\n            found.append(child)\n    return found\n")
        self.assertIn(src.replace("            leaves(child)", "            found.extend(leaves(child))"), variants(ops_returns, src))
        out = best(src, "assert leaves((1, (2, 3))) == [1, 2, 3]\nassert leaves(((4,), 5)) == [4, 5]\nassert leaves(()) == []\n")
        self.assertEqual(out, src.replace("            leaves(child)", "            found.extend(leaves(child))"))

    def test_a_recursive_count_dropped(self) -> None:
        src = ("def size(node):\n    total = 1\n    for kid in node['kids']:\n        size(kid)\n    return total\n")
        out = best(src, "assert size({'kids': []}) == 1\nassert size({'kids': [{'kids': []}, {'kids': [{'kids': []}]}]}) == 4\n")
        self.assertEqual(out, src.replace("        size(kid)", "        total += size(kid)"))

    def test_a_recursive_mapping_dropped_where_it_was_to_join_the_dict(self) -> None:
        # Paths of a nested directory listing: the sub-listing's answer must be merged, not returned early.
        src = ("def sizes(tree, at=''):\n    found = dict()\n    for name, item in tree.items():\n"
               "        path = at + '/' + name\n        if isinstance(item, dict):\n            sizes(item, path)\n"
               "        else:\n            found[path] = item\n    return found\n")
        fixed = src.replace("            sizes(item, path)", "            found.update(sizes(item, path))")
        self.assertIn(fixed, variants(ops_returns, src))
        tests = ("assert sizes({'a': 1}) == {'/a': 1}\nassert sizes({'d': {'x': 2, 'y': 3}, 'b': 4}) == {'/d/x': 2, '/d/y': 3, '/b': 4}\n"
                 "assert sizes({}) == {}\n")
        self.assertEqual(best(src, tests), fixed)

    def test_a_recursive_set_dropped(self) -> None:
        src = ("def reach(graph, node, seen):\n    out = {node}\n    seen.add(node)\n    for nxt in graph[node]:\n"
               "        if nxt not in seen:\n            reach(graph, nxt, seen)\n    return out\n")
        fixed = src.replace("            reach(graph, nxt, seen)", "            out.update(reach(graph, nxt, seen))")
        self.assertIn(fixed, variants(ops_returns, src))

    def test_a_call_of_another_function_is_not_folded(self) -> None:
        src = "def walk(xs):\n    out = []\n    for x in xs:\n        print(x)\n    return out\n"
        self.assertFalse([d for d in variants(ops_returns, src).values() if d.startswith("add what")])

if __name__ == "__main__":
    unittest.main()


class NestedTests(unittest.TestCase):
    """An item the code tests to be a collection, handled one level deep where the function was to recurse."""

    def test_flatten_one_level_deep(self) -> None:
        src = ("def flat(xs):\n    out = []\n    for x in xs:\n        if isinstance(x, (list, tuple)):\n            out.extend(x)\n"
               "        else:\n            out.append(x)\n    return out\n")
        fixed = src.replace("out.extend(x)", "out.extend(flat(x))")
        self.assertEqual(variants(ops_returns, src).get(fixed), "recurse into `x`: `flat(x)`")
        self.assertEqual(best(src, "assert flat([1, [2, [3, (4,)]]]) == [1, 2, 3, 4]\nassert flat([[1, [2]], 3]) == [1, 2, 3]\n"), fixed)

    def test_a_builtin_that_measures_one_level(self) -> None:
        src = ("def deep_sum(items):\n    total = 0\n    for v in items:\n        if type(v) == list:\n            total += sum(v)\n"
               "        else:\n            total += v\n    return total\n")
        fixed = src.replace("sum(v)", "deep_sum(v)")
        self.assertIn(fixed, variants(ops_returns, src))
        self.assertEqual(best(src, "assert deep_sum([1, [2, [3, 4]], 5]) == 15\n"), fixed)

    def test_negated_test_and_parameters_passed_along(self) -> None:
        src = ("def leaves(tree, depth):\n    found = []\n    for node in tree:\n        if not isinstance(node, list):\n"
               "            found.append((node, depth))\n        else:\n            found += node\n    return found\n")
        self.assertIn(src.replace("found += node", "found += leaves(node, depth)"), variants(ops_returns, src))
        # the branch where the item is no collection is not recursed into
        self.assertNotIn(src.replace("found.append((node, depth))", "found.append((leaves(node, depth), depth))"),
                         variants(ops_returns, src))

    def test_left_alone(self) -> None:
        # a method (a bare call of its name is no recursion), and an item already recursed into
        method = ("class T:\n    def walk(self, xs):\n        out = []\n        for x in xs:\n            if isinstance(x, list):\n"
                  "                out.extend(x)\n        return out\n")
        done = "def f(xs):\n    out = []\n    for x in xs:\n        if isinstance(x, list):\n            out.extend(f(x))\n    return out\n"
        for src in (method, done):
            self.assertFalse([d for d in variants(ops_returns, src).values() if "recurse" in d])
