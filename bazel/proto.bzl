"""C++ code generation from .proto files with Debian's protoc and gRPC plugin.

Bazel 4.2.3's native proto rules want to build protoc from source (a download),
so these macros run the system's protoc instead. Both expect to be called from
the package that is the proto root (//proto), with sources named relative to
it (captoken/v1/foo.proto), so generated headers are included as
"captoken/v1/foo.pb.h".
"""

_PROTOC = "@system//:bin/protoc"
_GRPC_CPP_PLUGIN = "@system//:bin/grpc_cpp_plugin"

def _stem(src):
    return src[:-len(".proto")]

def cc_proto_messages(name, srcs, deps = [], visibility = None, testonly = False):
    """A cc_library with the message classes generated from `srcs`."""
    hdrs = [_stem(s) + ".pb.h" for s in srcs]
    ccs = [_stem(s) + ".pb.cc" for s in srcs]
    native.genrule(
        name = name + "_codegen",
        testonly = testonly,
        srcs = srcs,
        outs = hdrs + ccs,
        tools = [_PROTOC],
        cmd = " ".join([
            "$(location %s)" % _PROTOC,
            "--proto_path=%s" % native.package_name(),
            "--cpp_out=$(RULEDIR)",
            "$(SRCS)",
        ]),
    )
    native.cc_library(
        name = name,
        srcs = ccs,
        hdrs = hdrs,
        includes = ["."],
        deps = deps + ["@system//:protobuf"],
        visibility = visibility,
        testonly = testonly,
    )

def cc_grpc_services(name, srcs, messages, imports = [], visibility = None, testonly = False):
    """A cc_library with the gRPC stubs and service bases for `srcs`.

    `messages` is the cc_proto_messages target that holds their messages;
    `imports` lists the other .proto files that `srcs` import.
    """
    hdrs = [_stem(s) + ".grpc.pb.h" for s in srcs]
    ccs = [_stem(s) + ".grpc.pb.cc" for s in srcs]
    native.genrule(
        name = name + "_codegen",
        testonly = testonly,
        srcs = srcs + imports,
        outs = hdrs + ccs,
        tools = [_PROTOC, _GRPC_CPP_PLUGIN],
        cmd = " ".join([
            "$(location %s)" % _PROTOC,
            "--proto_path=%s" % native.package_name(),
            "--plugin=protoc-gen-grpc=$(location %s)" % _GRPC_CPP_PLUGIN,
            "--grpc_out=$(RULEDIR)",
        ] + ["$(location %s)" % s for s in srcs]),
    )
    native.cc_library(
        name = name,
        srcs = ccs,
        hdrs = hdrs,
        includes = ["."],
        deps = [messages, "@system//:grpc++"],
        visibility = visibility,
        testonly = testonly,
    )
