"""captoken_fuzzer: a libFuzzer target that is also a corpus regression test.

Under --config=fuzz (clang, -fsanitize=fuzzer) the binary is a real fuzzer;
in the normal build it links fuzz_main.cc instead, and a test runs it over
the seed corpus, so every seed input stays crash-free in `bazel test //...`.
"""

def captoken_fuzzer(name, srcs, deps, corpus_dir, copts = []):
    native.cc_binary(
        name = name,
        srcs = srcs,
        copts = copts,
        linkopts = select({
            "//fuzz:fuzzing": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        deps = deps + select({
            "//fuzz:fuzzing": [],
            "//conditions:default": ["//fuzz:fuzz_main"],
        }),
    )
    native.sh_test(
        name = name + "_corpus_test",
        size = "small",
        srcs = ["run_corpus.sh"],
        args = [
            "$(location :%s)" % name,
            "%s/%s" % (native.package_name(), corpus_dir),
        ],
        data = [":" + name] + native.glob([corpus_dir + "/**"]),
    )
