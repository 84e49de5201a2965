// Package captokenv1 holds the Go types and gRPC stubs of the captoken.v1
// contract (proto/captoken/v1 at the root of the repository).
//
// The *.pb.go files are generated at build time and never checked in:
// `go generate ./...` (which build.sh runs) calls Debian's protoc,
// protoc-gen-go and protoc-gen-go-grpc. Most callers use package
// captoken, a thin wrapper over these stubs.
package captokenv1

//go:generate protoc -I../../../proto -I/usr/include --go_out=.. --go_opt=module=captoken.dev/client/go --go-grpc_out=.. --go-grpc_opt=module=captoken.dev/client/go ../../../proto/captoken/v1/access_token.proto ../../../proto/captoken/v1/capability.proto ../../../proto/captoken/v1/config.proto ../../../proto/captoken/v1/taskrouter.proto ../../../proto/captoken/v1/token_service.proto
