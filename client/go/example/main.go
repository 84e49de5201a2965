// Command example mints a capability token from the development server
// (`./dev server`, 127.0.0.1:50051, or the HOST:PORT given) and prints it.
package main

import (
	"context"
	"fmt"
	"log"
	"os"

	"captoken.dev/client/go/captoken"
)

func main() {
	address := "127.0.0.1:50051"
	if len(os.Args) > 1 {
		address = os.Args[1]
	}
	client, err := captoken.NewTokenClient(address)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	req := captoken.NewCapabilityRequest("AC00000000000000000000000000000000",
		captoken.ClientIncoming("alice"))
	tok, err := client.MintCapabilityToken(context.Background(), req)
	if err != nil {
		log.Fatal(err) // a gRPC status: status.Code(err) says which
	}
	fmt.Println(tok.Token)
	fmt.Fprintln(os.Stderr, "expires", tok.ExpireTime)
}
