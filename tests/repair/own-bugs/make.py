"""Writes own-bugs.jsonl: small wrong programs of our own, one per bug class the search has an edit for
(not taken from any benchmark), in the Mbpp-R shape: the buggy program, the tests a user would paste
(`given_tests`) and stronger hidden ones (`test`) that judge the answer. `python3 make.py` regenerates it;
each canonical solution is checked against its hidden tests and each buggy one must fail the shown ones
(or not finish them).
`python3 make.py --check` only checks, and that the file holds exactly these tasks.

    npx tracefix eval --dataset tests/repair/own-bugs/own-bugs.jsonl --sandbox pyodide|process --json FILE"""

import json
import os
import subprocess
import sys

TASKS = [
    ("running-max-start", "largest",
     "def largest(xs):\n    best = 0\n    for x in xs:\n        if x > best:\n            best = x\n    return best\n",
     "def largest(xs):\n    best = xs[0]\n    for x in xs:\n        if x > best:\n            best = x\n    return best\n",
     ["assert largest([3, 8, 1]) == 8", "assert largest([-5, -2, -9]) == -2"],
     ["assert largest([3, 8, 1]) == 8", "assert largest([-5, -2, -9]) == -2", "assert largest([-1]) == -1", "assert largest([0, -3]) == 0", "assert largest([7, 7, -7]) == 7"]),
    ("seen-never-filled", "first_repeat",
     "def first_repeat(items):\n    seen = set()\n    for item in items:\n        if item in seen:\n            return item\n    return None\n",
     "def first_repeat(items):\n    seen = set()\n    for item in items:\n        if item in seen:\n            return item\n        seen.add(item)\n    return None\n",
     ["assert first_repeat(['a', 'b', 'a']) == 'a'", "assert first_repeat([1, 2, 3]) is None"],
     ["assert first_repeat(['a', 'b', 'a']) == 'a'", "assert first_repeat([1, 2, 3]) is None", "assert first_repeat([4, 5, 5, 4]) == 5", "assert first_repeat([]) is None"]),
    ("mixed-types", "smallest_number",
     "def smallest_number(values):\n    return min(values)\n",
     "def smallest_number(values):\n    return min(v for v in values if isinstance(v, int))\n",
     ["assert smallest_number(['x', 4, 2, 'y', 9]) == 2"],
     ["assert smallest_number(['x', 4, 2, 'y', 9]) == 2", "assert smallest_number([5, 'a']) == 5", "assert smallest_number(['b', -3, 0]) == -3"]),
    ("join-order", "to_binary",
     "def to_binary(n):\n    if n == 0:\n        return '0'\n    bits = ''\n    while n:\n        bits = bits + str(n % 2)\n        n //= 2\n    return bits\n",
     "def to_binary(n):\n    if n == 0:\n        return '0'\n    bits = ''\n    while n:\n        bits = str(n % 2) + bits\n        n //= 2\n    return bits\n",
     ["assert to_binary(6) == '110'", "assert to_binary(1) == '1'"],
     ["assert to_binary(6) == '110'", "assert to_binary(1) == '1'", "assert to_binary(0) == '0'", "assert to_binary(11) == '1011'", "assert to_binary(32) == '100000'"]),
    ("predicate-answers-swapped", "has_no_vowel",
     "def has_no_vowel(word):\n    for ch in word.lower():\n        if ch in 'aeiou':\n            return True\n    return False\n",
     "def has_no_vowel(word):\n    for ch in word.lower():\n        if ch in 'aeiou':\n            return False\n    return True\n",
     ["assert has_no_vowel('rhythm') == True", "assert has_no_vowel('Tree') == False"],
     ["assert has_no_vowel('rhythm') == True", "assert has_no_vowel('Tree') == False", "assert has_no_vowel('') == True", "assert has_no_vowel('A') == False", "assert has_no_vowel('xyz') == True"]),
    ("quantifier", "all_even",
     "def all_even(nums):\n    for n in nums:\n        if n % 2 == 0:\n            return True\n    return False\n",
     "def all_even(nums):\n    for n in nums:\n        if n % 2 != 0:\n            return False\n    return True\n",
     ["assert all_even([2, 4, 6]) == True", "assert all_even([2, 3, 4]) == False"],
     ["assert all_even([2, 4, 6]) == True", "assert all_even([2, 3, 4]) == False", "assert all_even([]) == True", "assert all_even([1]) == False", "assert all_even([4, 8, 7]) == False"]),
    ("extra-first-element", "prefix_sums",
     "def prefix_sums(xs):\n    out = [0]\n    for x in xs:\n        out.append(out[-1] + x)\n    return out\n",
     "def prefix_sums(xs):\n    out = [0]\n    for x in xs:\n        out.append(out[-1] + x)\n    return out[1:]\n",
     ["assert prefix_sums([1, 2, 3]) == [1, 3, 6]", "assert prefix_sums([5]) == [5]"],
     ["assert prefix_sums([1, 2, 3]) == [1, 3, 6]", "assert prefix_sums([5]) == [5]", "assert prefix_sums([]) == []", "assert prefix_sums([2, -2, 2]) == [2, 0, 2]"]),
    ("power-vs-product", "cube_volume",
     "def cube_volume(side, count):\n    return count * side * 3\n",
     "def cube_volume(side, count):\n    return count * side ** 3\n",
     ["assert cube_volume(2, 1) == 8", "assert cube_volume(3, 2) == 54"],
     ["assert cube_volume(2, 1) == 8", "assert cube_volume(3, 2) == 54", "assert cube_volume(1, 5) == 5", "assert cube_volume(10, 3) == 3000"]),
    ("mutable-default", "add_tag",
     "def add_tag(tag, tags=[]):\n    tags.append(tag)\n    return tags\n",
     "def add_tag(tag, tags=None):\n    if tags is None:\n        tags = []\n    tags.append(tag)\n    return tags\n",
     ["assert add_tag('a') == ['a']", "assert add_tag('b') == ['b']"],
     ["assert add_tag('a') == ['a']", "assert add_tag('b') == ['b']", "assert add_tag('c', ['x']) == ['x', 'c']", "assert add_tag('d') == ['d']"]),
    ("range-end", "sum_to",
     "def sum_to(n):\n    total = 0\n    for i in range(1, n):\n        total += i\n    return total\n",
     "def sum_to(n):\n    total = 0\n    for i in range(1, n + 1):\n        total += i\n    return total\n",
     ["assert sum_to(4) == 10", "assert sum_to(1) == 1"],
     ["assert sum_to(4) == 10", "assert sum_to(1) == 1", "assert sum_to(0) == 0", "assert sum_to(100) == 5050"]),
    ("binary-search-bound", "index_of",
     "def index_of(xs, target):\n    lo, hi = 0, len(xs) - 1\n    while lo < hi:\n        mid = (lo + hi) // 2\n        if xs[mid] == target:\n            return mid\n        if xs[mid] < target:\n            lo = mid + 1\n        else:\n            hi = mid - 1\n    return -1\n",
     "def index_of(xs, target):\n    lo, hi = 0, len(xs) - 1\n    while lo <= hi:\n        mid = (lo + hi) // 2\n        if xs[mid] == target:\n            return mid\n        if xs[mid] < target:\n            lo = mid + 1\n        else:\n            hi = mid - 1\n    return -1\n",
     ["assert index_of([1, 3, 5, 7], 7) == 3", "assert index_of([1, 3, 5, 7], 4) == -1", "assert index_of([2], 2) == 0"],
     ["assert index_of([1, 3, 5, 7], 7) == 3", "assert index_of([1, 3, 5, 7], 4) == -1", "assert index_of([2], 2) == 0", "assert index_of([], 1) == -1", "assert index_of([1, 3, 5, 7, 9], 1) == 0", "assert index_of([1, 3, 5, 7, 9], 5) == 2"]),
    ("dict-get", "word_counts",
     "def word_counts(text):\n    counts = {}\n    for w in text.split():\n        counts[w] = counts[w] + 1\n    return counts\n",
     "def word_counts(text):\n    counts = {}\n    for w in text.split():\n        counts[w] = counts.get(w, 0) + 1\n    return counts\n",
     ["assert word_counts('a b a') == {'a': 2, 'b': 1}"],
     ["assert word_counts('a b a') == {'a': 2, 'b': 1}", "assert word_counts('') == {}", "assert word_counts('x x x') == {'x': 3}"]),
    ("integer-division", "middle_index",
     "def middle_index(xs):\n    return len(xs) / 2\n",
     "def middle_index(xs):\n    return len(xs) // 2\n",
     ["assert middle_index([1, 2, 3]) == 1", "assert middle_index([4, 5, 6, 7]) == 2"],
     ["assert middle_index([1, 2, 3]) == 1", "assert middle_index([4, 5, 6, 7]) == 2", "assert middle_index([]) == 0", "assert middle_index([9]) == 0", "assert type(middle_index([1, 2])) is int"]),
    ("swapped-arguments", "percent",
     "def ratio(part, whole):\n    return part / whole\n\ndef percent(part, whole):\n    return round(100 * ratio(whole, part), 1)\n",
     "def ratio(part, whole):\n    return part / whole\n\ndef percent(part, whole):\n    return round(100 * ratio(part, whole), 1)\n",
     ["assert percent(1, 4) == 25.0", "assert percent(3, 3) == 100.0"],
     ["assert percent(1, 4) == 25.0", "assert percent(3, 3) == 100.0", "assert percent(0, 5) == 0.0", "assert percent(1, 3) == 33.3"]),
    ("case-method", "shout",
     "def shout(text):\n    return text.lower() + '!'\n",
     "def shout(text):\n    return text.upper() + '!'\n",
     ["assert shout('hi') == 'HI!'"],
     ["assert shout('hi') == 'HI!'", "assert shout('Go now') == 'GO NOW!'", "assert shout('') == '!'"]),
    ("missing-return", "evens",
     "def evens(xs):\n    out = []\n    for x in xs:\n        if x % 2 == 0:\n            out.append(x)\n",
     "def evens(xs):\n    out = []\n    for x in xs:\n        if x % 2 == 0:\n            out.append(x)\n    return out\n",
     ["assert evens([1, 2, 3, 4]) == [2, 4]"],
     ["assert evens([1, 2, 3, 4]) == [2, 4]", "assert evens([]) == []", "assert evens([7, 9]) == []", "assert evens([0, -2]) == [0, -2]"]),
    ("condition-guard", "count_before",
     "class Node:\n    def __init__(self, value, next=None):\n        self.value = value\n        self.next = next\n\n"
     "def build(values):\n    head = None\n    for v in reversed(values):\n        head = Node(v, head)\n    return head\n\n"
     "def count_before(node, stop):\n    n = 0\n    while node.value != stop:\n        n += 1\n        node = node.next\n    return n\n",
     "class Node:\n    def __init__(self, value, next=None):\n        self.value = value\n        self.next = next\n\n"
     "def build(values):\n    head = None\n    for v in reversed(values):\n        head = Node(v, head)\n    return head\n\n"
     "def count_before(node, stop):\n    n = 0\n    while node is not None and node.value != stop:\n        n += 1\n        node = node.next\n    return n\n",
     ["assert count_before(build([1, 2, 3]), 3) == 2", "assert count_before(build([1, 2]), 9) == 2"],
     ["assert count_before(build([1, 2, 3]), 3) == 2", "assert count_before(build([1, 2]), 9) == 2", "assert count_before(None, 1) == 0",
      "assert count_before(build([5]), 5) == 0", "assert count_before(build([4, 4, 1]), 1) == 2"]),
    ("early-exit-case", "total_length",
     "def total_length(words):\n    if words is None:\n        return 0\n    first, *rest = words\n    return len(first) + total_length(rest)\n",
     "def total_length(words):\n    if words is None or not words:\n        return 0\n    first, *rest = words\n    return len(first) + total_length(rest)\n",
     ["assert total_length(['ab', 'c']) == 3", "assert total_length(None) == 0"],
     ["assert total_length(['ab', 'c']) == 3", "assert total_length(None) == 0", "assert total_length([]) == 0", "assert total_length(['xyz']) == 3",
      "assert total_length(['', 'a', 'bb']) == 3"]),
    ("caret-power", "sum_of_squares",
     "def sum_of_squares(n):\n    return sum(i ^ 2 for i in range(1, n + 1))\n",
     "def sum_of_squares(n):\n    return sum(i ** 2 for i in range(1, n + 1))\n",
     ["assert sum_of_squares(3) == 14", "assert sum_of_squares(1) == 1"],
     ["assert sum_of_squares(3) == 14", "assert sum_of_squares(1) == 1", "assert sum_of_squares(0) == 0", "assert sum_of_squares(2) == 5",
      "assert sum_of_squares(10) == 385"]),
    ("and-for-bitwise", "mask_all",
     "def mask_all(values, mask):\n    return [v and mask for v in values]\n",
     "def mask_all(values, mask):\n    return [v & mask for v in values]\n",
     ["assert mask_all([12, 7], 10) == [8, 2]", "assert mask_all([3], 1) == [1]"],
     ["assert mask_all([12, 7], 10) == [8, 2]", "assert mask_all([3], 1) == [1]", "assert mask_all([], 3) == []", "assert mask_all([0, 255], 15) == [0, 15]",
      "assert mask_all([5], 0) == [0]"]),
    ("result-discarded", "median",
     "def median(xs):\n    sorted(xs)\n    n = len(xs)\n    if n % 2:\n        return xs[n // 2]\n    return (xs[n // 2 - 1] + xs[n // 2]) / 2\n",
     "def median(xs):\n    xs = sorted(xs)\n    n = len(xs)\n    if n % 2:\n        return xs[n // 2]\n    return (xs[n // 2 - 1] + xs[n // 2]) / 2\n",
     ["assert median([3, 1, 2]) == 2", "assert median([4, 1, 3, 2]) == 2.5"],
     ["assert median([3, 1, 2]) == 2", "assert median([4, 1, 3, 2]) == 2.5", "assert median([5]) == 5", "assert median([9, 7]) == 8.0",
      "assert median([1, 5, 3, 2, 4]) == 3"]),
    ("element-for-position", "at_even_places",
     "def at_even_places(nums):\n    return [n for n in nums if n % 2 == 0]\n",
     "def at_even_places(nums):\n    return [n for i, n in enumerate(nums) if i % 2 == 0]\n",
     ["assert at_even_places([5, 6, 7, 8]) == [5, 7]", "assert at_even_places([2, 4]) == [2]"],
     ["assert at_even_places([5, 6, 7, 8]) == [5, 7]", "assert at_even_places([2, 4]) == [2]", "assert at_even_places([]) == []",
      "assert at_even_places([1]) == [1]", "assert at_even_places([9, 8, 7, 6, 5]) == [9, 7, 5]"]),
    ("whole-for-running", "running_totals",
     "def running_totals(xs):\n    out = []\n    total = 0\n    for x in xs:\n        total = sum(xs)\n        out.append(total)\n    return out\n",
     "def running_totals(xs):\n    out = []\n    total = 0\n    for x in xs:\n        total = total + x\n        out.append(total)\n    return out\n",
     ["assert running_totals([1, 2, 3]) == [1, 3, 6]", "assert running_totals([5]) == [5]"],
     ["assert running_totals([1, 2, 3]) == [1, 3, 6]", "assert running_totals([5]) == [5]", "assert running_totals([]) == []",
      "assert running_totals([4, -4, 4]) == [4, 0, 4]"]),
    ("stuck-loop", "leading_spaces",
     "def leading_spaces(line):\n    n = 0\n    while line.startswith(' '):\n        n += 1\n    return n\n",
     "def leading_spaces(line):\n    n = 0\n    while line[n:].startswith(' '):\n        n += 1\n    return n\n",
     ["assert leading_spaces('  x') == 2", "assert leading_spaces('y') == 0"],
     ["assert leading_spaces('  x') == 2", "assert leading_spaces('y') == 0", "assert leading_spaces('') == 0", "assert leading_spaces('   ') == 3",
      "assert leading_spaces(' a b') == 1"]),
    ("forgotten-return", "count_down",
     "def count_down(n, acc):\n    if n == 0:\n        return acc\n    count_down(n - 1, acc + [n])\n",
     "def count_down(n, acc):\n    if n == 0:\n        return acc\n    return count_down(n - 1, acc + [n])\n",
     ["assert count_down(3, []) == [3, 2, 1]", "assert count_down(0, []) == []"],
     ["assert count_down(3, []) == [3, 2, 1]", "assert count_down(0, []) == []", "assert count_down(1, []) == [1]", "assert count_down(2, [9]) == [9, 2, 1]"]),
    ("missing-f-prefix", "label",
     "def label(name, score):\n    return '{name}: {score} points'\n",
     "def label(name, score):\n    return f'{name}: {score} points'\n",
     ["assert label('Ann', 3) == 'Ann: 3 points'", "assert label('Bo', 0) == 'Bo: 0 points'"],
     ["assert label('Ann', 3) == 'Ann: 3 points'", "assert label('Bo', 0) == 'Bo: 0 points'", "assert label('', 10) == ': 10 points'"]),
    ("repeated-rows", "identity",
     "def identity(n):\n    t = [[0] * n] * n\n    for i in range(n):\n        t[i][i] = 1\n    return t\n",
     "def identity(n):\n    t = [[0] * n for _ in range(n)]\n    for i in range(n):\n        t[i][i] = 1\n    return t\n",
     ["assert identity(2) == [[1, 0], [0, 1]]", "assert identity(1) == [[1]]"],
     ["assert identity(2) == [[1, 0], [0, 1]]", "assert identity(1) == [[1]]", "assert identity(0) == []", "assert identity(3) == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]"]),
    ("missing-self", "Account",
     "class Account:\n    def __init__(self, balance):\n        self.balance = balance\n\n    def deposit(self, amount):\n        balance += amount\n        return balance\n",
     "class Account:\n    def __init__(self, balance):\n        self.balance = balance\n\n    def deposit(self, amount):\n        self.balance += amount\n        return self.balance\n",
     ["acc = Account(10)", "assert acc.deposit(5) == 15", "assert acc.deposit(1) == 16"],
     ["acc = Account(10)", "assert acc.deposit(5) == 15", "assert acc.deposit(1) == 16", "assert acc.balance == 16", "assert Account(0).deposit(0) == 0"]),
    ("last-group-dropped", "groups",
     "def groups(nums):\n    out = []\n    run = []\n    for x in nums:\n        if x == 0:\n            out.append(run)\n            run = []\n        else:\n            run.append(x)\n    return out\n",
     "def groups(nums):\n    out = []\n    run = []\n    for x in nums:\n        if x == 0:\n            out.append(run)\n            run = []\n        else:\n            run.append(x)\n    out.append(run)\n    return out\n",
     ["assert groups([1, 1, 0, 1]) == [[1, 1], [1]]", "assert groups([2]) == [[2]]", "assert groups([5, 0]) == [[5], []]"],
     ["assert groups([1, 1, 0, 1]) == [[1, 1], [1]]", "assert groups([2]) == [[2]]", "assert groups([]) == [[]]", "assert groups([0]) == [[], []]",
      "assert groups([3, 0, 0, 4]) == [[3], [], [4]]"]),
    ("dropped-increment", "skip_spaces",
     "def skip_spaces(text, start):\n    pos = start\n    while pos < len(text) and text[pos] == ' ':\n        pos + 1\n    return pos\n",
     "def skip_spaces(text, start):\n    pos = start\n    while pos < len(text) and text[pos] == ' ':\n        pos += 1\n    return pos\n",
     ["assert skip_spaces('  ab', 0) == 2", "assert skip_spaces('ab', 0) == 0"],
     ["assert skip_spaces('  ab', 0) == 2", "assert skip_spaces('ab', 0) == 0", "assert skip_spaces('a   b', 1) == 4", "assert skip_spaces('', 0) == 0",
      "assert skip_spaces('   ', 1) == 3"]),
    ("compare-for-assign", "any_overdue",
     "def any_overdue(days_late):\n    overdue = False\n    for d in days_late:\n        if d > 0:\n            overdue == True\n    return overdue\n",
     "def any_overdue(days_late):\n    overdue = False\n    for d in days_late:\n        if d > 0:\n            overdue = True\n    return overdue\n",
     ["assert any_overdue([0, 3, 0]) == True", "assert any_overdue([0, 0]) == False"],
     ["assert any_overdue([0, 3, 0]) == True", "assert any_overdue([0, 0]) == False", "assert any_overdue([]) == False", "assert any_overdue([-2, 1]) == True",
      "assert any_overdue([-1]) == False"]),
    ("get-then-append", "tags_by_user",
     "def tags_by_user(pairs):\n    out = {}\n    for user, tag in pairs:\n        out.get(user, []).append(tag)\n    return out\n",
     "def tags_by_user(pairs):\n    out = {}\n    for user, tag in pairs:\n        out.setdefault(user, []).append(tag)\n    return out\n",
     ["assert tags_by_user([('u1', 'x'), ('u1', 'y')]) == {'u1': ['x', 'y']}", "assert tags_by_user([]) == {}"],
     ["assert tags_by_user([('u1', 'x'), ('u1', 'y')]) == {'u1': ['x', 'y']}", "assert tags_by_user([]) == {}",
      "assert tags_by_user([('a', 1), ('b', 2), ('a', 3)]) == {'a': [1, 3], 'b': [2]}", "assert tags_by_user([('z', 'q')]) == {'z': ['q']}"]),
    ("list-replaced", "rooms",
     "def rooms(bookings):\n    by_room = {}\n    for guest, room in bookings:\n        by_room[room] = [guest]\n    return by_room\n",
     "def rooms(bookings):\n    by_room = {}\n    for guest, room in bookings:\n        by_room.setdefault(room, []).append(guest)\n    return by_room\n",
     ["assert rooms([('ann', 1), ('bob', 1)]) == {1: ['ann', 'bob']}", "assert rooms([('cy', 2)]) == {2: ['cy']}"],
     ["assert rooms([('ann', 1), ('bob', 1)]) == {1: ['ann', 'bob']}", "assert rooms([('cy', 2)]) == {2: ['cy']}", "assert rooms([]) == {}",
      "assert rooms([('a', 1), ('b', 2), ('c', 1)]) == {1: ['a', 'c'], 2: ['b']}"]),
    ("recursive-answer-dropped", "count_files",
     "def count_files(folder):\n    n = 0\n    for entry in folder:\n        if isinstance(entry, list):\n            count_files(entry)\n"
     "        else:\n            n += 1\n    return n\n",
     "def count_files(folder):\n    n = 0\n    for entry in folder:\n        if isinstance(entry, list):\n            n += count_files(entry)\n"
     "        else:\n            n += 1\n    return n\n",
     ["assert count_files(['a', ['b', 'c']]) == 3", "assert count_files(['x']) == 1"],
     ["assert count_files(['a', ['b', 'c']]) == 3", "assert count_files(['x']) == 1", "assert count_files([]) == 0", "assert count_files([[], [[]]]) == 0",
      "assert count_files([['a', ['b']], 'c']) == 3"]),
    ("split-limit", "parse_pairs",
     "def parse_pairs(text):\n    out = []\n    for item in text.split(','):\n        name, score = item.split(':')\n        out.append((name, score))\n    return out\n",
     "def parse_pairs(text):\n    out = []\n    for item in text.split(','):\n        name, score = item.split(':', 1)\n        out.append((name, score))\n    return out\n",
     ["assert parse_pairs('a:1,b:2') == [('a', '1'), ('b', '2')]", "assert parse_pairs('t:12:30') == [('t', '12:30')]"],
     ["assert parse_pairs('a:1,b:2') == [('a', '1'), ('b', '2')]", "assert parse_pairs('t:12:30') == [('t', '12:30')]", "assert parse_pairs('x:') == [('x', '')]",
      "assert parse_pairs('k:a:b:c') == [('k', 'a:b:c')]"]),
    ("branch-order", "shipping",
     "def shipping(weight):\n    if weight > 1:\n        return 'standard'\n    elif weight > 20:\n        return 'freight'\n    else:\n        return 'letter'\n",
     "def shipping(weight):\n    if weight > 20:\n        return 'freight'\n    elif weight > 1:\n        return 'standard'\n    else:\n        return 'letter'\n",
     ["assert shipping(25) == 'freight'", "assert shipping(5) == 'standard'"],
     ["assert shipping(25) == 'freight'", "assert shipping(5) == 'standard'", "assert shipping(1) == 'letter'", "assert shipping(20) == 'standard'",
      "assert shipping(21) == 'freight'", "assert shipping(0.5) == 'letter'"]),
    ("empty-exit", "last_initial",
     "def last_initial(name):\n    parts = name.split()\n    return parts[-1][0].upper()\n",
     "def last_initial(name):\n    parts = name.split()\n    if not parts:\n        return ''\n    return parts[-1][0].upper()\n",
     ["assert last_initial('grace hopper') == 'H'", "assert last_initial('') == ''"],
     ["assert last_initial('grace hopper') == 'H'", "assert last_initial('') == ''", "assert last_initial('   ') == ''", "assert last_initial('ada') == 'A'"]),
]


def _passes(program: str) -> bool:
    """Runs a buggy program and its shown tests in a child Python: a bug may be a loop that never ends."""
    try:
        return subprocess.run([sys.executable, "-c", program], capture_output=True, timeout=3).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    rows = []
    for bug_type, entry, buggy, canonical, shown, hidden in TASKS:
        test = "\n".join(hidden) + "\n"
        ns: dict = {}
        exec(canonical + "\n" + test, ns)  # the canonical solution passes every hidden test
        if _passes(buggy + "\n" + "\n".join(shown) + "\n"):
            raise SystemExit(f"{bug_type}: the buggy program passes the shown tests")
        rows.append({"task_id": f"own/{bug_type}", "bug_type": bug_type, "prompt": "", "buggy_solution": buggy,
                     "canonical_solution": canonical, "test": test, "given_tests": shown, "entry_point": entry})
    text = "".join(json.dumps(row) + "\n" for row in rows)
    path = os.path.join(here, "own-bugs.jsonl")
    if "--check" in sys.argv:
        with open(path) as f:
            if f.read() != text:
                raise SystemExit("own-bugs.jsonl differs from make.py's tasks: run python3 make.py")
        print(f"{len(rows)} tasks checked")
        return
    with open(path, "w") as f:
        f.write(text)
    print(f"{len(rows)} tasks written")


if __name__ == "__main__":
    main()
