# Sourced by build.sh and test.sh (POSIX sh): the environment that builds the
# Go client offline, in module mode, from the vendor/ directory build.sh
# assembles out of Debian's Go packages. Source it yourself to run `go`
# commands by hand:  . ./env.sh && go test ./...
: "${GO_CLIENT_DIR:=$(pwd)}"
export GO111MODULE=on
export GOFLAGS=-mod=vendor   # never read the module graph or contact a proxy
export GOPROXY=off           # and fail fast if something tries to
export GOSUMDB=off
export GOTOOLCHAIN=local     # (Go >= 1.21) never download another toolchain
# Pure Go: no C compiler needed, and the same binaries everywhere.
export CGO_ENABLED="${CGO_ENABLED:-0}"
# The build cache defaults to $HOME/.cache/go-build; without a usable $HOME
# (CI containers), keep it in the git-ignored .cache/ here.
if [ -z "$(go env GOCACHE 2>/dev/null)" ] || [ "$(go env GOCACHE 2>/dev/null)" = off ]; then
  export GOCACHE="$GO_CLIENT_DIR/.cache/go-build"
fi
if [ -z "$(go env GOPATH 2>/dev/null)" ]; then
  export GOPATH="$GO_CLIENT_DIR/.cache/gopath"
fi
