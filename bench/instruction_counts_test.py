#!/usr/bin/python3
"""Tests of instruction_counts.py's reading of callgrind's output format
(run by run_test.py): the summary keyed by event names, and the calls into
a function counted through its compressed name."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from instruction_counts import parse_annotate, parse_callgrind  # noqa: E402

# The shape callgrind writes: a name in full the first time its id appears,
# the id alone after; each call arc is a cfn= line, then calls=.
CALLGRIND_OUTPUT = """\
# callgrind format
events: Ir Dr Dw I1mr
summary: 1000 200 100 7
fn=(1) captoken::token::SignCapabilityToken(captoken::token::CapabilitySpec const&)
cfn=(2) captoken::token::CheckCapability(captoken::token::CapabilitySpec const&)
calls=3 0
12 300
cfn=(3) captoken::token::CheckCapabilityLater()
calls=50 0
12 5
fn=(4) other
cfn=(2)
calls=2 0
7 9
"""


class ParseCallgrindTest(unittest.TestCase):

    def test_summary_and_calls(self):
        totals, calls = parse_callgrind(CALLGRIND_OUTPUT, "captoken::token::CheckCapability(")
        self.assertEqual(totals, {"Ir": 1000, "Dr": 200, "Dw": 100, "I1mr": 7})
        # Both arcs into id 2, the one named in full and the one by id; not
        # the function whose name only starts the same way.
        self.assertEqual(calls, 5)

    def test_a_callee_never_called_counts_zero(self):
        _, calls = parse_callgrind(CALLGRIND_OUTPUT, "captoken::token::Nothing(")
        self.assertEqual(calls, 0)



# The shape of `callgrind_annotate --inclusive=no` output: the totals line
# (no object), then each function's own cost with its object in brackets.
ANNOTATE_OUTPUT = """\
--------------------------------------------------------------------------------
Ir
--------------------------------------------------------------------------------
3,000 (100.0%)  PROGRAM TOTALS

--------------------------------------------------------------------------------
Ir                   file:function
--------------------------------------------------------------------------------
1,200 (40.00%)  ???:0x000000000029ad80 [/usr/lib/x86_64-linux-gnu/libcrypto.so.3]
  900 (30.00%)  ???:captoken::Sign(absl::string_view) [/tmp/server]
  600 (20.00%)  ./string/memmove.S:__memcpy_avx_unaligned_erms [/usr/lib/x86_64-linux-gnu/libc.so.6]
  200 ( 6.67%)  ???:SHA256_Final [/usr/lib/x86_64-linux-gnu/libcrypto.so.3]
  100 ( 3.33%)  ???:captoken::Audit() [/tmp/server]
"""


class ParseAnnotateTest(unittest.TestCase):

    def test_total_and_costs_summed_by_object(self):
        total, by_object = parse_annotate(ANNOTATE_OUTPUT)
        self.assertEqual(total, 3000)
        self.assertEqual(by_object, {
            "/usr/lib/x86_64-linux-gnu/libcrypto.so.3": 1400,
            "/tmp/server": 1000,
            "/usr/lib/x86_64-linux-gnu/libc.so.6": 600,
        })


if __name__ == "__main__":
    unittest.main()
