import unittest

from helpers import best, fix, variants
from tracefix_runner.search import ops_idioms


class IdiomTests(unittest.TestCase):
    def test_lookup_with_a_default(self) -> None:
        src = "def price(table, item):\n    return table[item]\n"
        self.assertIn("def price(table, item):\n    return table.get(item, 0)\n", variants(ops_idioms, src))

    def test_setdefault_for_grouping(self) -> None:
        src = "def group(pairs):\n    out = {}\n    for k, v in pairs:\n        out[k].append(v)\n    return out\n"
        self.assertIn("def group(pairs):\n    out = {}\n    for k, v in pairs:\n        out.setdefault(k, []).append(v)\n    return out\n",
                      variants(ops_idioms, src))

    def test_counting_into_a_dict(self) -> None:
        src = "def counts(xs):\n    c = {}\n    for x in xs:\n        c[x] += 1\n    return c\n"
        out = best(src, "assert counts('aba') == {'a': 2, 'b': 1}\nassert counts('') == {}\n")
        self.assertEqual(out, "def counts(xs):\n    c = {}\n    for x in xs:\n        c[x] = c.get(x, 0) + 1\n    return c\n")

    def test_mutable_default_shows_on_the_second_call(self) -> None:
        # the tests run in order in one namespace: the second call sees the first one's list
        src = "def tag(x, tags=[]):\n    tags.append(x)\n    return tags\n"
        result = fix(src, "assert tag(1) == [1]\nassert tag(2) == [2]\n")
        passing = [c["source"] for c in result["candidates"] if c["passed"] == c["total"]]
        self.assertIn("def tag(x, tags=None):\n    if tags is None:\n        tags = []\n    tags.append(x)\n    return tags\n", passing)
        self.assertEqual([c["status"] for c in result["checks"]], ["passed", "failed"])

    def test_copy_before_mutating_the_argument(self) -> None:
        src = "def without_first(xs):\n    rest = xs\n    rest.pop(0)\n    return rest\n"
        out = best(src, "data = [1, 2, 3]\nassert without_first(data) == [2, 3]\nassert data == [1, 2, 3]\n")
        self.assertIsNotNone(out)
        assert out is not None
        self.assertRegex(out, r"rest = (xs\.copy\(\)|list\(xs\))|xs = (list\(xs\)|xs\.copy\(\))")

    def test_loop_over_a_copy_of_a_list_it_changes(self) -> None:
        src = "def drop_short(words):\n    for w in words:\n        if len(w) < 3:\n            words.remove(w)\n    return words\n"
        out = best(src, "assert drop_short(['a', 'bb', 'ccc', 'dddd']) == ['ccc', 'dddd']\nassert drop_short(['x']) == []\n")
        self.assertEqual(out, src.replace("for w in words:", "for w in list(words):"))

    def test_a_loop_that_only_reads_is_left_alone(self) -> None:
        src = "def total(xs):\n    s = 0\n    for x in xs:\n        s += x\n    return s\n"
        self.assertFalse(any("list(xs)" in text for text in variants(ops_idioms, src)))



    def test_rows_repeated_by_reference(self) -> None:
        src = "def grid(rows, cols):\n    g = [[0] * cols] * rows\n    for r in range(rows):\n        g[r][0] = r\n    return g\n"
        fixed = src.replace("[[0] * cols] * rows", "[[0] * cols for _ in range(rows)]")
        self.assertEqual(variants(ops_idioms, src).get(fixed), "build `[0] * cols` anew for each of the `rows` rows, not one row repeated")
        self.assertEqual(best(src, "assert grid(2, 2) == [[0, 0], [1, 0]]\nassert grid(3, 1) == [[0], [1], [2]]\n"), fixed)
        self.assertFalse(any("for _ in" in t for t in variants(ops_idioms, "def zeros(n):\n    return [0] * n\n")))

    def test_keys_that_share_one_list(self) -> None:
        src = ("def by_team(people, teams):\n    out = dict.fromkeys(teams, [])\n    for name, team in people:\n"
               "        out[team].append(name)\n    return out\n")
        fixed = src.replace("dict.fromkeys(teams, [])", "{k: [] for k in teams}")
        self.assertEqual(variants(ops_idioms, src).get(fixed), "a new `[]` for each key, not one shared by all")
        self.assertEqual(best(src, "assert by_team([('ann', 'a'), ('bo', 'b')], ['a', 'b']) == {'a': ['ann'], 'b': ['bo']}\n"), fixed)
        # an immutable value is shared harmlessly
        self.assertFalse(any("for k in" in t for t in variants(ops_idioms, "def zeros(ks):\n    return dict.fromkeys(ks, 0)\n")))


class UniqueGuardTests(unittest.TestCase):
    def test_items_kept_once_each_guarded_the_wrong_way(self) -> None:
        src = ("def distinct(words):\n    out = []\n    for w in words:\n        if words.count(w) == 1:\n"
               "            out.append(w)\n    return out\n")
        fixed = src.replace("words.count(w) == 1", "w not in out")
        self.assertEqual(variants(ops_idioms, src).get(fixed), "append only what `out` lacks: `w not in out`")
        self.assertEqual(best(src, "assert distinct(['a', 'b', 'a', 'c']) == ['a', 'b', 'c']\nassert distinct([]) == []\n"), fixed)

    def test_a_guard_already_asking_or_doing_more_is_left_alone(self) -> None:
        for src in ("def f(xs):\n    out = []\n    for x in xs:\n        if x not in out:\n            out.append(x)\n    return out\n",
                    "def f(xs):\n    out = []\n    for x in xs:\n        if x > 0:\n            out.append(x)\n            print(x)\n    return out\n"):
            self.assertFalse([d for d in variants(ops_idioms, src).values() if "lacks" in d], src)


class IteratedTests(unittest.TestCase):
    def test_key_and_value_unpacked_from_the_dict_itself(self) -> None:
        src = "def report(stock):\n    lines = []\n    for name, qty in stock:\n        lines.append(f'{name}: {qty}')\n    return lines\n"
        fixed = src.replace("in stock:", "in stock.items():")
        self.assertEqual(variants(ops_idioms, src).get(fixed), "walk `stock.items()`: keys with their values")
        self.assertEqual(best(src, "assert report({'nut': 3, 'bolt': 0}) == ['nut: 3', 'bolt: 0']\nassert report({}) == []\n"), fixed)
        keys = src.replace("in stock:", "in stock.keys():")
        self.assertIn(fixed, variants(ops_idioms, keys))

    def test_positions_with_items_and_numbers_walked(self) -> None:
        src = "def marked(xs):\n    return [f'{i}={x}' for i, x in xs]\n"
        self.assertEqual(best(src, "assert marked(['a', 'b']) == ['0=a', '1=b']\n"), src.replace("in xs]", "in enumerate(xs)]"))
        src = "def evens(xs):\n    out = []\n    for i in len(xs):\n        if i % 2 == 0:\n            out.append(xs[i])\n    return out\n"
        self.assertEqual(best(src, "assert evens([5, 6, 7]) == [5, 7]\nassert evens([]) == []\n"), src.replace("in len(xs):", "in range(len(xs)):"))
        src = "def total(xs):\n    s = 0\n    for i in range(xs):\n        s += xs[i]\n    return s\n"
        out = variants(ops_idioms, src)
        self.assertIn(src.replace("range(xs)", "range(len(xs))"), out)

    def test_walks_already_right_are_left_alone(self) -> None:
        src = ("def f(d, pairs):\n    for k, v in d.items():\n        pass\n    for i, p in enumerate(pairs):\n        pass\n"
               "    for a, b in zip(pairs, pairs):\n        pass\n    for i in range(len(pairs)):\n        pass\n")
        self.assertFalse([d for d in variants(ops_idioms, src).values() if d.startswith("walk")])


class GrowingValuesTests(unittest.TestCase):
    def test_appending_to_the_list_get_hands_back(self) -> None:
        src = ("def by_length(words):\n    out = {}\n    for w in words:\n        out.get(len(w), []).append(w)\n    return out\n")
        fixed = src.replace("out.get(len(w), [])", "out.setdefault(len(w), [])")
        self.assertIn(fixed, variants(ops_idioms, src))
        self.assertEqual(best(src, "assert by_length(['ab', 'c', 'de']) == {2: ['ab', 'de'], 1: ['c']}\nassert by_length([]) == {}\n"), fixed)

    def test_the_none_of_append_stored_in_the_dict(self) -> None:
        src = ("def by_team(players):\n    teams = {}\n    for name, team in players:\n"
               "        teams[team] = teams.get(team, []).append(name)\n    return teams\n")
        fixed = src.replace("teams[team] = teams.get(team, []).append(name)", "teams.setdefault(team, []).append(name)")
        self.assertIn(fixed, variants(ops_idioms, src))
        self.assertEqual(best(src, "assert by_team([('al', 'red'), ('bea', 'red'), ('cy', 'blue')]) == {'red': ['al', 'bea'], 'blue': ['cy']}\n"
                                   "assert by_team([]) == {}\n"), fixed)

    def test_the_none_of_an_in_place_method_stored(self) -> None:
        src = "def add_tag(tags, tag):\n    tags = list(tags)\n    tags = tags.append(tag)\n    return tags\n"
        fixed = src.replace("    tags = tags.append(tag)", "    tags.append(tag)")
        self.assertIn(fixed, variants(ops_idioms, src))
        self.assertEqual(best(src, "assert add_tag(['a'], 'b') == ['a', 'b']\nassert add_tag([], 'x') == ['x']\n"), fixed)
        src = "def ranked(scores):\n    order = scores.sort(reverse=True)\n    return order\n"
        out = variants(ops_idioms, src)
        self.assertIn(src.replace("scores.sort(reverse=True)", "sorted(scores, reverse=True)"), out)
        # the store of another name stays: without it `order` would be unset
        self.assertNotIn(src.replace("order = scores.sort(reverse=True)", "scores.sort(reverse=True)"), out)

    def test_a_keys_list_replaced_where_it_was_to_grow(self) -> None:
        src = ("def owners(pets):\n    who = {}\n    for person, pet in pets:\n        who[pet] = [person]\n    return who\n")
        fixed = src.replace("who[pet] = [person]", "who.setdefault(pet, []).append(person)")
        self.assertIn(fixed, variants(ops_idioms, src))
        self.assertEqual(best(src, "assert owners([('ann', 'cat'), ('bo', 'cat')]) == {'cat': ['ann', 'bo']}\n"
                                   "assert owners([('cy', 'dog')]) == {'dog': ['cy']}\n"), fixed)
        # outside a loop a one-element list is just a value
        self.assertFalse([d for d in variants(ops_idioms, "def one(k, v):\n    d = {}\n    d[k] = [v]\n    return d\n").values() if "add to" in d])

    def test_a_copy_of_a_grid_that_shares_its_rows(self) -> None:
        src = ("def doubled(grid):\n    out = grid[:]\n    for row in out:\n        for j in range(len(row)):\n"
               "            row[j] *= 2\n    return out\n")
        fixed = src.replace("grid[:]", "[row[:] for row in grid]")
        self.assertIn(fixed, variants(ops_idioms, src))
        tests = "g = [[1, 2], [3]]\nassert doubled(g) == [[2, 4], [6]]\nassert g == [[1, 2], [3]]\n"
        self.assertEqual(best(src, tests), fixed)
        # a flat copy whose elements are only read is left alone
        flat = "def total(xs):\n    ys = xs[:]\n    ys.sort()\n    return ys\n"
        self.assertFalse([d for d in variants(ops_idioms, flat).values() if d.startswith("copy each row")])

if __name__ == "__main__":
    unittest.main()


class UnorderedPairTests(unittest.TestCase):
    def test_pairs_counted_as_keys_where_their_order_was_not_to_matter(self) -> None:
        src = ("def edge_counts(edges):\n    counts = {}\n    for e in edges:\n        counts[e] = counts.get(e, 0) + 1\n"
               "    return counts\n")
        fixed = src.replace("    for e in edges:\n", "    for e in edges:\n        e = tuple(sorted(e))\n")
        self.assertEqual(best(src, "assert edge_counts([(1, 2), (2, 1), (3, 1)]) == {(1, 2): 2, (1, 3): 1}\n"), fixed)

    def test_two_lists_of_pairs_intersected(self) -> None:
        src = "def shared_links(a, b):\n    return set(a) & set(b)\n"
        self.assertEqual(best(src, "assert shared_links([(1, 2), (5, 6)], [(2, 1), (7, 8)]) == {(1, 2)}\n"),
                         "def shared_links(a, b):\n    return set(tuple(sorted(t)) for t in a) & set(tuple(sorted(t)) for t in b)\n")


class SplicedTests(unittest.TestCase):
    def test_a_list_stored_as_one_item_where_its_items_were_to_take_the_place(self) -> None:
        src = "def replace_last(xs, ys):\n    xs = list(xs)\n    xs[-1] = ys\n    return xs\n"
        self.assertEqual(best(src, "assert replace_last([1, 2, 3], [7, 8]) == [1, 2, 7, 8]\n"),
                         src.replace("xs[-1] = ys", "xs[-1:] = ys"))
