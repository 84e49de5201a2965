"""Compiler flags for captoken's own code.

Warnings are errors in our code only; system headers are included with
-isystem, so their warnings never stop the build.
"""

CAPTOKEN_COPTS = [
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wno-unused-parameter",
    # GCC 12 warns about members left out of a designated initializer, which
    # is how option structs are meant to be used ({.clock = &clock}).
    "-Wno-missing-field-initializers",
    "-Wshadow",
    "-Wnon-virtual-dtor",
    "-Wformat=2",
]

# Tests and benchmarks: GoogleTest and Google Benchmark macros trip a few of
# the stricter warnings, so they keep -Werror but not -Wshadow.
CAPTOKEN_TEST_COPTS = [
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wno-unused-parameter",
    "-Wno-missing-field-initializers",
]
