#!/usr/bin/env bash
# Generates the Ruby protobuf and gRPC modules for captoken.v1 from
# proto/captoken/v1/*.proto into lib/captoken/v1/ (git-ignored; never checked
# in), then builds the gem (captoken-VERSION.gem, here) unless --no-gem.
#
# Uses Debian's tools only: grpc_tools_ruby_protoc (ruby-grpc-tools), which
# bundles protoc and the gRPC Ruby plugin. The generated code needs
# ruby-grpc and ruby-google-protobuf at run time.
#
# The protos import "captoken/v1/capability.proto", so the generated files
# `require 'captoken/v1/capability_pb'`; generating into lib/ (the gem's
# load path) makes that resolve to this gem's own files.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
protoc=${GRPC_TOOLS_RUBY_PROTOC:-grpc_tools_ruby_protoc}
command -v "$protoc" >/dev/null || {
  echo "build.sh: $protoc not found (apt-get install ruby-grpc-tools)" >&2
  exit 1
}

# Generate into a temporary folder, then swap it in, so an interrupted build
# never leaves a half-written package behind.
out=$(mktemp -d "$here/lib/captoken/.v1.XXXXXX")
trap 'rm -rf "$out"' EXIT
(cd "$repo/proto" && "$protoc" -I . --ruby_out="$out" --grpc_out="$out" captoken/v1/*.proto)
rm -rf "$here/lib/captoken/v1"
mv "$out/captoken/v1" "$here/lib/captoken/v1"

# The gem's version is the repository's (VERSION): the gemspec and
# Captoken::VERSION both read it from here.
version=$(<"$repo/VERSION")
printf '# Generated from VERSION by client/ruby/build.sh. Do not edit.\nmodule Captoken\n  VERSION = "%s"\nend\n' \
  "$version" >"$here/lib/captoken/version.rb"

[[ ${1:-} == --no-gem ]] && exit 0
cd "$here"
rm -f captoken-*.gem
gem build --silent captoken.gemspec >/dev/null
echo "build.sh: built $(ls captoken-*.gem)" >&2
