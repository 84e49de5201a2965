"""bench/profile_summary.py refuses a function it cannot find instead of
reporting 0% for it. (run_test.py runs it.)"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import profile_summary as ps  # noqa: E402

PARTS = [("handler", ("TokenService::MintCapabilityToken",)),
         ("fingerprint", ("TokenFingerprint",)),
         ("log lines", ("LogLine::",))]


def stack(*frames):
    return list(frames)


STACKS = [
    stack("captoken::server::TokenFingerprint[abi:cxx11]",
          "captoken::server::TokenService::MintCapabilityToken"),
    stack("captoken::server::LogLine::Add",
          "captoken::server::TokenService::MintCapabilityToken"),
    stack("[kernel] do_syscall_64"),
    stack("tc_malloc"),
]


class MissingSymbolTest(unittest.TestCase):

    def test_matches_by_class_and_name_in_any_namespace(self):
        summary = ps.summarize_stacks(STACKS, PARTS)
        self.assertEqual(summary["parts"], [("handler", 50.0),
                                            ("fingerprint", 25.0),
                                            ("log lines", 25.0)])
        self.assertEqual(summary["kernel_pct"], 25.0)
        self.assertEqual(summary["malloc_pct"], 25.0)
        self.assertFalse(ps.matches("captoken::X::NotTokenFingerprint",
                                    "TokenFingerprint"))

    def test_a_function_absent_from_the_samples_is_named(self):
        with self.assertRaisesRegex(ps.MissingSymbol,
                                    r"TokenService::Caller .*'caller'"):
            ps.summarize_stacks(STACKS, PARTS + [
                ("caller", ("TokenService::Caller",))])

    def test_a_function_absent_from_the_program_is_named(self):
        program = ["captoken::server::TokenService::MintCapabilityToken("
                   "grpc::CallbackServerContext*)",
                   "captoken::server::LogLine::Add(std::string_view)"]
        with self.assertRaisesRegex(ps.MissingSymbol, "TokenFingerprint"):
            ps.summarize_stacks(STACKS, PARTS, symbols=program)
        # Present in the program but not sampled: a measured 0%.
        program.append("captoken::server::TokenFingerprint[abi:cxx11]("
                       "std::string_view)")
        summary = ps.summarize_stacks(STACKS[2:], PARTS, symbols=program)
        self.assertEqual(summary["parts"][1], ("fingerprint", 0.0))

    def test_the_flat_split_names_what_it_lacks(self):
        rows = [(40.0, "libcrypto.so.3", "sha256_block_data_order"),
                (60.0, "token_benchmark", "captoken::token::Other")]
        with self.assertRaisesRegex(ps.MissingSymbol, "AppendBase64Url"):
            ps.split_flat(rows)

    def test_the_command_exits_non_zero(self):
        # main() turns MissingSymbol into a message and exit status 1.
        original = ps.summarize

        def missing(*args, **kwargs):
            raise ps.MissingSymbol("the profiled program lacks X (for 'x')")
        ps.summarize = missing
        try:
            self.assertEqual(ps.main(["perf.data"]), 1)
        finally:
            ps.summarize = original

    def test_the_tables_name_each_row_once(self):
        for parts in (ps.PARTS, ps.BATCH_PARTS):
            labels = [label for label, _ in parts]
            self.assertEqual(len(labels), len(set(labels)))
        for key, label in list(ps.KEYS.items()) + list(
                ps.BATCH_KEYS.items()):
            self.assertIn(label, [l for l, _ in ps.PARTS + ps.BATCH_PARTS])


if __name__ == "__main__":
    unittest.main()
