"""Mints a token from the development server (start it with `./dev server`).

Run: client/python/build.sh && /usr/bin/python3 client/python/example.py [HOST:PORT]
"""
import sys

import captoken

address = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:50051"
with captoken.TokenClient(address, deadline=5.0) as client:
    minted = client.mint_capability_token(
        "AC00000000000000000000000000000000",
        [captoken.client_incoming("alice"),
         captoken.client_outgoing("AP89abcdef0123456789abcdef01234567",
                                  params=[("To", "+15551234567")])],
        ttl=600)
    print(minted.token)
    print("expires", minted.expire_time.isoformat(), file=sys.stderr)
