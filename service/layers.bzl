# The layers of service/ and the one direction each may depend in.
#
# A request goes down the table: rpc (the gRPC adapter) -> mint (the minting
# core) -> convert (wire <-> library) -> token (the library). config, authz,
# observe and secrets sit beside that path. serve, the serving process (config
# load, reload, banner, signal loop), sits on top and runs the rest. Bazel enforces the table through
# each layer package's `visibility` (layer_visibility below), so a wrong
# dependency is a build error; tests/layering/check_layers.py proves it for
# every pair, in both directions, on every `./dev test`.
#
# The table is plain Starlark data so that the check script can read it too.

# What each layer may depend on (besides Abseil, gRPC, protobuf, OpenSSL and
# the generated protos). service/main.cc, the composition root, may depend
# on every layer; nothing in service/ depends on it.
LAYER_DEPENDENCIES = {
    "token": [],
    "convert": ["token"],
    "secrets": ["token"],
    "authz": ["token", "convert"],
    "config": ["token", "secrets", "authz"],
    "observe": ["token", "authz"],
    "mint": ["token", "convert", "authz", "config"],
    "process": [],
    "rpc": ["token", "authz", "config", "observe", "mint", "process"],
    "serve": ["token", "authz", "config", "observe", "mint", "rpc"],
}

# Packages outside service/ that may use a layer: tests, benchmarks and
# fuzzers everywhere; the CLI signs locally, so it uses token, convert and
# secrets, signs through mint's sign_request (the server's own sequence, so
# that `sign` and `mint` sign and refuse alike; it depends on nothing of
# mint's but token and convert), and shares the command-line helper in
# process.
_EVERYWHERE = [
    "//bench:__subpackages__",
    "//fuzz:__subpackages__",
    "//tests:__subpackages__",
]

_OUTSIDE_USERS = {
    "token": ["//client/cli:__pkg__"],
    "convert": ["//client/cli:__pkg__"],
    "mint": ["//client/cli:__pkg__"],
    "secrets": ["//client/cli:__pkg__"],
    "process": ["//client/cli:__pkg__"],
}

def layer_visibility(layer):
    """The visibility of a layer's targets: the layers allowed to use it."""
    dependents = [
        "//service/%s:__subpackages__" % user
        for user, uses in LAYER_DEPENDENCIES.items()
        if layer in uses
    ]
    return (["//service/%s:__subpackages__" % layer, "//service:__pkg__"] +
            dependents + _EVERYWHERE + _OUTSIDE_USERS.get(layer, []))
