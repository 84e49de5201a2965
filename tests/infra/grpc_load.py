"""Closed-loop gRPC load through a TLS proxy, counting every failed call.

  grpc_load.py TARGET CA CERT KEY REQUEST STOP_FILE [THREADS]

Each thread, on a channel of its own (so calls spread over connections
as a fleet's do), sends captoken.v1.TokenService/MintCapabilityToken with
the serialized request in the file REQUEST, until STOP_FILE exists. Every
call has a 5 s deadline and is counted by its status code. No retries
here: a call the proxy could not serve is a failure.

Prints one JSON line ({"ok": N, "failed": {"CODE": N}}) and exits 1 if any
call failed or none succeeded. Debian's python3-grpcio; the request is
bytes, so no generated code is needed.
"""

import collections
import json
import os
import sys
import threading

import grpc

METHOD = "/captoken.v1.TokenService/MintCapabilityToken"


def main(target, ca, cert, key, request_file, stop_file, threads="8"):
    def read(path):
        with open(path, "rb") as f:
            return f.read()

    credentials = grpc.ssl_channel_credentials(read(ca), read(key), read(cert))
    request = read(request_file)
    counts = collections.Counter()
    lock = threading.Lock()

    def loop():
        with grpc.secure_channel(target, credentials) as channel:
            call = channel.unary_unary(METHOD)  # bytes in, bytes out
            while not os.path.exists(stop_file):
                try:
                    reply = call(request, timeout=5)
                    code = "OK" if reply else "EMPTY_REPLY"
                except grpc.RpcError as error:
                    code = error.code().name
                with lock:
                    counts[code] += 1

    workers = [threading.Thread(target=loop) for _ in range(int(threads))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    failed = {code: n for code, n in counts.items() if code != "OK"}
    print(json.dumps({"ok": counts["OK"], "failed": failed}))
    return 1 if failed or not counts["OK"] else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
