#!/usr/bin/env bash
# The Go client as another module uses it: a new module outside the
# repository requires captoken.dev/client/go by its module path, like any
# dependency. No module proxy is reachable, so the requirement is satisfied
# the way an offline build does it: a `replace` to a copy of the module
# (what a vendored checkout would be), and vendor/ built by vendor.sh from
# Debian's Go packages. `go build` and `go vet` must pass, and the program
# mints and verifies a token from a development server.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/../package_test_lib.sh"

# Generates the stubs (captokenv1/*.pb.go), which the copy must carry.
"$here/build.sh"
mkdir "$work/captoken-go"
(cd "$here" && tar -c --exclude=./vendor --exclude=./.cache . ) | tar -x -C "$work/captoken-go"

mkdir "$work/app"
cd "$work/app"
# The client's own requirements are listed as indirect ones, as `go mod
# tidy` would write them: in vendor mode every module that provides a
# package must be in go.mod.
{
  echo "module example.com/app"
  echo
  echo "go 1.19"
  echo
  echo "require captoken.dev/client/go v$(<"$repo/VERSION")"
  echo
  echo "require ("
  awk '/^require[ \t]*\($/ {b=1; next} b && /^\)/ {b=0; next}
       b && NF >= 2 {print "\t" $1, $2, "// indirect"}' "$here/go.mod"
  echo ")"
  echo
  echo "replace captoken.dev/client/go => $work/captoken-go"
} >go.mod
cat >main.go <<'GO'
// Command app mints a capability token with the captoken Go client and
// verifies it, printing the token and "valid".
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"captoken.dev/client/go/captoken"
)

func main() {
	client, err := captoken.NewTokenClient(os.Args[1], captoken.WithDeadline(5*time.Second))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()
	const sid = "AC00000000000000000000000000000000"

	access, err := client.MintAccessToken(ctx, captoken.NewAccessTokenRequest(sid, "alice", captoken.VideoGrant("standup")))
	if err != nil {
		log.Fatal(err)
	}
	tok, err := client.MintCapabilityToken(ctx, captoken.NewCapabilityRequest(sid, captoken.ClientIncoming("alice")))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tok.Token)
	capability, err := client.VerifyToken(ctx, tok.Token, "")
	if err != nil {
		log.Fatal(err)
	}
	accessVerdict, err := client.VerifyToken(ctx, access.Token, "")
	if err != nil {
		log.Fatal(err)
	}
	if capability.Valid && accessVerdict.Kind == captoken.KindAccess {
		fmt.Println("valid")
	} else {
		fmt.Println("invalid")
	}
}
GO
"$here/vendor.sh" "$work/app"
GO_CLIENT_DIR=$work/app
. "$here/env.sh"
go build -o app .
go vet ./...
./app "$address" >"$work/out"
check_minted "$work/out"
echo "ok: a separate module requiring captoken.dev/client/go built (go build, go vet), minted and verified a token"
