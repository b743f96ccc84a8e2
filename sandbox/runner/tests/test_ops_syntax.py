import unittest

from helpers import best
from tracefix_runner.search import ops_syntax


class SyntaxTests(unittest.TestCase):
    def test_missing_colon(self) -> None:
        texts = [t for t, _, _ in ops_syntax.repairs("def f(x)\n    return x\n", 1)]
        self.assertIn("def f(x):\n    return x\n", texts)

    def test_missing_bracket_named_on_the_next_line(self) -> None:
        src = "def f(xs):\n    total = sum(xs\n    return total\n"
        texts = [t for t, _, _ in ops_syntax.repairs(src, 3)]
        self.assertIn("def f(xs):\n    total = sum(xs)\n    return total\n", texts)

    def test_missing_quote(self) -> None:
        texts = [t for t, _, _ in ops_syntax.repairs("def f():\n    return 'hi\n", 2)]
        self.assertIn("def f():\n    return 'hi'\n", texts)

    def test_assignment_in_a_condition(self) -> None:
        texts = [t for t, _, _ in ops_syntax.repairs("def z(x):\n    if x = 0:\n        return True\n    return False\n", 2)]
        self.assertIn("def z(x):\n    if x == 0:\n        return True\n    return False\n", texts)

    def test_lines_pasted_along_that_are_not_code(self) -> None:
        src = "def area(w, h):\n    return w * h\n```\n[Task End\n"
        texts = {t: d for t, _, d in ops_syntax.repairs(src, 3)}
        self.assertEqual(texts.get("def area(w, h):\n    return w * h\n"),
                         "delete the line that is not code, `\u0060\u0060\u0060` and 1 more like it")
        fenced = "```python\ndef area(w, h):\n    return w * h\n```\n"
        self.assertIn("def area(w, h):\n    return w * h\n", [t for t, _, _ in ops_syntax.repairs(fenced, 1)])
        prose = "def area(w, h):\n    return w * h\nHere is the fixed code:\n"
        self.assertIn("def area(w, h):\n    return w * h\n", [t for t, _, _ in ops_syntax.repairs(prose, 3)])

    def test_code_cut_short_and_docstrings_are_not_taken_for_prose(self) -> None:
        doc = 'def f(x):\n    """Twice x.\nNot a sentence to delete.\n    """\n    return x +\n'
        self.assertFalse([d for _, _, d in ops_syntax.repairs(doc, 5) if "not code" in d])
        bracket = "xs = [\n1, 2,\n3]\ndef f(:\n    return xs\n"
        self.assertFalse([d for _, _, d in ops_syntax.repairs(bracket, 4) if "not code" in d])
        cut = 'def greet(name):\n    return "hi " + name\n\nGREETING = "hello\n'
        self.assertFalse([d for _, _, d in ops_syntax.repairs(cut, 4) if "not code" in d])  # a statement cut short
        self.assertEqual(ops_syntax.repairs(cut, 4)[0][0], cut.replace('"hello\n', '"hello"\n'))

    def test_syntax_repair_then_a_logic_fix(self) -> None:
        src = "def inc(x)\n    return x - 1\n"
        self.assertEqual(best(src, "assert inc(1) == 2\n"), "def inc(x):\n    return x + 1\n")


if __name__ == "__main__":
    unittest.main()
