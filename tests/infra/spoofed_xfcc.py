"""Calls GetCallerPolicy through the proxy with a forged
x-forwarded-client-cert header and prints the identity the server saw.

  spoofed_xfcc.py TARGET CA CERT KEY FORGED_URI

The caller connects with its own client certificate (CERT) and adds a
header claiming FORGED_URI, as an attacker behind the proxy would. The
proxy must drop the caller's header and write its own from the
certificate, so the server must see CERT's identity, never FORGED_URI.
Writes the response's serialized bytes to standard output, for protoc to
decode.
"""

import sys

import grpc

METHOD = "/captoken.v1.TokenService/GetCallerPolicy"


def main(target, ca, cert, key, forged_uri):
    def read(path):
        with open(path, "rb") as f:
            return f.read()

    credentials = grpc.ssl_channel_credentials(read(ca), read(key), read(cert))
    forged = 'By=spiffe://example.org/ns/mesh/sa/captoken;URI=%s' % forged_uri
    with grpc.secure_channel(target, credentials) as channel:
        call = channel.unary_unary(METHOD)  # bytes in, bytes out
        response = call(b"", timeout=5,
                        metadata=[("x-forwarded-client-cert", forged)])
    sys.stdout.buffer.write(response)


if __name__ == "__main__":
    main(*sys.argv[1:])
