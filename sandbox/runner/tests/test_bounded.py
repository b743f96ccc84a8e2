import unittest

from helpers import fix

from tracefix_runner import bounded


def run(source: str) -> dict:
    bounded.install()
    code = bounded.bound(source, "<program>")
    assert code is not None
    ns: dict = {}
    exec(code, ns)
    return ns


class BoundedTests(unittest.TestCase):
    def test_a_power_of_a_billion_digits_is_refused_at_once(self) -> None:
        ns = run("def f(a, b):\n    return a ** b ** a\n")
        with self.assertRaisesRegex(OverflowError, "more than the search and the probe compute"):  # refused, not computed
            ns["f"](148, 412)

    def test_ordinary_powers_and_shifts_are_unchanged(self) -> None:
        ns = run("def f(a, b):\n    return (a ** b, 2 ** 100, (-3) ** 3, 2 ** -1, 2.5 ** 2, 1 ** 10**9, a << b, 7 >> 1)\n")
        self.assertEqual(ns["f"](3, 4), (81, 2 ** 100, -27, 0.5, 6.25, 1, 48, 3))

    def test_an_augmented_power_on_a_name_is_bounded_and_other_targets_run_as_written(self) -> None:
        ns = run("def f(x, n):\n    x **= n\n    return x\n\ndef g(xs):\n    xs[0] **= 2\n    return xs\n")
        self.assertEqual(ns["f"](5, 3), 125)
        with self.assertRaises(OverflowError):
            ns["f"](10, 10 ** 7)
        self.assertEqual(ns["g"]([4]), [16])

    def test_a_huge_shift_is_refused_and_a_zero_shifted_is_not(self) -> None:
        ns = run("def f(a, b):\n    return a << b\n")
        with self.assertRaises(OverflowError):
            ns["f"](1, 10 ** 12)
        self.assertEqual(ns["f"](0, 10 ** 12), 0)

    def test_other_types_keep_their_own_power(self) -> None:
        ns = run("class V:\n    def __pow__(self, n):\n        return ('pow', n)\n\ndef f(v):\n    return v ** 10 ** 9\n")
        self.assertEqual(ns["f"](ns["V"]()), ("pow", 10 ** 9))

    def test_an_expression_built_and_evaluated_is_bounded_in_the_callers_namespace(self) -> None:
        ns = run("def calc(ops, nums):\n    k = 10\n    e = str(nums[0])\n    for o, n in zip(ops, nums[1:]):\n        e += o + str(n)\n"
                 "    return eval(e + '+k')\n\ndef with_ns(e):\n    return eval(e, {'x': 2})\n")
        self.assertEqual(ns["calc"](["**", "*"], [2, 3, 4]), 42)
        self.assertEqual(ns["with_ns"]("x ** 5"), 32)
        with self.assertRaisesRegex(OverflowError, "more than the search and the probe compute"):
            ns["calc"](["**", "**"], [22, 322, 3])
        with self.assertRaises(SyntaxError):
            ns["calc"](["+"], [1, ")"])

    def test_a_program_without_either_operator_is_left_to_the_usual_compile(self) -> None:
        self.assertIsNone(bounded.bound("def f(a):\n    return a * 2\n", "<program>"))
        self.assertIsNone(bounded.bound("def f(a:\n", "<program>"))


    def test_an_original_whose_bug_is_a_giant_power_is_searched_not_stalled(self) -> None:
        # `n ** n ** n` is `n ** (n ** n)`: for 9 a number of a billion bits, in C, before any test ends
        src = "def tower(n):\n    return n ** n ** n\n"
        result = fix(src, f"assert tower(2) == 16\nassert tower(9) == {9 ** 81}\n")
        self.assertIn("more than the search and the probe compute", result["checks"][1].get("error", ""))
        self.assertEqual([c["source"] for c in result["candidates"] if c["passed"] == c["total"]][:1],
                         ["def tower(n):\n    return (n ** n) ** n\n"])
    def test_the_probe_runs_grown_inputs_bounded(self) -> None:
        # a candidate that agrees with the original on the tests' call but, on the grown input 10, asks
        # for 10 ** 10 ** 10 (33 billion bits, computed in C where no step count or signal reaches)
        from tracefix_runner import probe

        programs = [{"id": "orig", "source": "def f(n):\n    return n ** 4\n"},
                    {"id": "cand", "source": "def f(n):\n    return n ** n ** n\n"}]
        result = probe.handle({"op": "probe", "programs": programs, "tests": "assert f(2) == 16\n",
                               "budget": {"inputs": 20, "ms": 20_000}}, {})
        rows = {r["call"]: r["outputs"] for r in result["inputs"]}
        self.assertEqual(rows["f(2)"], {"orig": "16", "cand": "16"})
        self.assertEqual(rows["f(10)"]["orig"], "10000")
        self.assertRegex(rows["f(10)"]["cand"], "^raises OverflowError: .*more than the search and the probe compute")
        self.assertFalse(result["truncated"])


if __name__ == "__main__":
    unittest.main()
