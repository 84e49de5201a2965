# The repositories captoken's BUILD files name, for this workspace and for
# any other workspace that depends on captoken (docs/token-library.md):
#
#   local_repository(name = "captoken", path = "/path/to/captoken")
#   load("@captoken//bazel:dependencies.bzl", "captoken_dependencies")
#   captoken_dependencies(captoken_path = "/path/to/captoken")
#
# Everything is local: Debian's packages (bazel/setup.sh installs them) and
# two shims in bazel/. Nothing downloads. A repository the workspace already
# declares is left alone, so a workspace can bring its own.

def _declare(rule, name, **kwargs):
    if not native.existing_rule(name):
        rule(name = name, **kwargs)

def captoken_dependencies(captoken_path = "."):
    """Declares @system (Debian's libraries) and what Bazel 4 needs beside it.

    Args:
      captoken_path: where captoken's checkout is, relative to the workspace
        that calls this or absolute; "." for captoken's own WORKSPACE.
    """

    # Bazel 4.2.3 loads @rules_cc//cc:defs.bzl for its own tools; Debian's
    # rules_cc is too new for it, so a shim re-exports the native rules.
    _declare(native.local_repository, "rules_cc",
             path = captoken_path + "/bazel/rules_cc")
    _declare(native.local_repository, "rules_java",
             path = "/usr/share/bazel/rules/java")
    _declare(native.local_repository, "platforms",
             path = "/usr/share/bazel/tools/platforms")

    # `bazel test` names coverage tools even with coverage off; this
    # stand-in fails loudly if anything actually runs them.
    _declare(native.local_repository, "remote_coverage_tools",
             path = captoken_path + "/bazel/remote_coverage_tools")

    # Debian's libraries (gRPC, Protobuf, Abseil, OpenSSL, GoogleTest, ...)
    # as Bazel targets: @system//:absl, @system//:grpc++, and so on.
    _declare(native.new_local_repository, "system",
             build_file = str(Label("//bazel:system.BUILD")),
             path = "/usr")
