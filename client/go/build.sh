#!/bin/sh
# Builds the Go client offline on Debian 12:
#   1. vendor.sh: vendor/ <- Debian's Go packages under /usr/share/gocode/src
#      (symlinks), with the vendor/modules.txt that vendor mode expects, for
#      each module go.mod requires;
#   2. `go generate ./...`: captokenv1/*.pb.go from proto/captoken/v1 with
#      protoc, protoc-gen-go and protoc-gen-go-grpc;
#   3. `go build ./...` and `go vet ./...`.
# Needs: golang-go protobuf-compiler libprotobuf-dev protoc-gen-go
#        protoc-gen-go-grpc golang-google-grpc-dev golang-google-protobuf-dev
#        golang-github-golang-protobuf-1-5-dev (and what they depend on).
set -eu
GO_CLIENT_DIR=$(cd "$(dirname "$0")" && pwd)
cd "$GO_CLIENT_DIR"
. ./env.sh

# --- 1. vendor/ -------------------------------------------------------------
"$GO_CLIENT_DIR/vendor.sh" "$GO_CLIENT_DIR"

# --- 2. stubs ---------------------------------------------------------------
rm -f captokenv1/*.pb.go
go generate ./...

# --- 3. build ---------------------------------------------------------------
go build ./...
go vet ./...
