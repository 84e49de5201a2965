"""The bytes of deploy/haproxy/haproxy.cfg's gRPC health check, derived.

HAProxy 2.6 sends them verbatim (`tcp-check send-binary`): an HTTP/2
connection that asks grpc.health.v1.Health/Check for the server's overall
health. Writing them here from their parts, rather than as a hex string
nobody can read, is what lets the config be checked:

  h2_health_check.py hex            the hex the config must carry
  h2_health_check.py ask HOST:PORT  send them to a server; print its status

tests/infra/haproxy_rolling_restart.sh checks the config's hex against
`hex`, and `ask` against a serving and a draining server.
"""

import socket
import sys

PATH = b"/grpc.health.v1.Health/Check"


def frame(kind, flags, stream, payload):
    return (len(payload).to_bytes(3, "big") + bytes([kind, flags]) +
            stream.to_bytes(4, "big") + payload)


def literal(name_index, value):
    """An HPACK literal without indexing, its name from the static table,
    no Huffman coding (RFC 7541, 6.2.2); indexes below 15 fit the prefix."""
    prefix = (bytes([name_index]) if name_index < 15 else
              bytes([0x0f, name_index - 15]))
    return prefix + bytes([len(value)]) + value


def request():
    headers = (
        bytes([0x83, 0x86])  # :method POST, :scheme http (static 3, 6)
        + literal(4, PATH)  # :path
        + literal(1, b"localhost")  # :authority
        + literal(31, b"application/grpc")  # content-type
        # te: not in the static table, so a new name too.
        + bytes([0x00, 2]) + b"te" + bytes([8]) + b"trailers")
    return (
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
        + frame(0x4, 0x0, 0, b"")  # our SETTINGS: the defaults
        + frame(0x4, 0x1, 0, b"")  # ACK of the server's SETTINGS
        + frame(0x1, 0x4, 1, headers)  # HEADERS, END_HEADERS
        # DATA, END_STREAM: an uncompressed gRPC message of length 0.
        + frame(0x0, 0x1, 1, bytes(5)))


def ask(address):
    """The status byte of the server's answer: 1 SERVING, 2 NOT_SERVING."""
    host, port = address.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(request())
        received = b""
        marker = bytes.fromhex("00000000020801")[:-1]
        while marker not in received:
            chunk = sock.recv(65536)
            if not chunk:
                sys.exit("the server closed the connection without answering")
            received += chunk
        at = received.index(marker) + len(marker)
        while len(received) <= at:
            received += sock.recv(65536)
        return received[at]


if __name__ == "__main__":
    if sys.argv[1] == "hex":
        print(request().hex())
    elif sys.argv[1] == "ask":
        print(ask(sys.argv[2]))
    else:
        sys.exit("usage: h2_health_check.py hex | ask HOST:PORT")
