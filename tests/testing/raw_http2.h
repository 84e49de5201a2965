// File: raw_http2.h
// -----------------------------------------------------------------------------
//
// RawHttp2Connection speaks just enough HTTP/2, written by hand, to start
// gRPC calls on a loopback server and then misbehave as no real client
// library would let a test do: announce a tiny flow-control window and never
// read the responses, or stop half-way through a request's message (even
// half-way through a DATA frame) and say nothing more. It never reads what
// the server sends except to learn whether the server has closed the
// connection, and it never answers a PING or a SETTINGS frame.
//
// Frames follow RFC 9113 (a 9-byte header: 24-bit length, type, flags,
// 31-bit stream id). Header blocks use HPACK literals without indexing (RFC
// 7541 §6.2.2), so no table is kept. DATA frames are at most 16,384 bytes,
// the size every server accepts before its SETTINGS are acknowledged.
//
// Example:
//
//   ASSERT_OK_AND_ASSIGN(std::unique_ptr<RawHttp2Connection> connection,
//                        RawHttp2Connection::Open(port,
//                                                 /*initial_window_size=*/1));
//   ASSERT_THAT(connection->SendRequest(
//                   "/captoken.v1.TokenService/BatchMint",
//                   request.SerializeAsString()),
//               IsOk());
//   ... the server now holds the response, which is never read ...
//   EXPECT_FALSE(connection->ClosedByServer());

#ifndef CAPTOKEN_TESTS_TESTING_RAW_HTTP2_H_
#define CAPTOKEN_TESTS_TESTING_RAW_HTTP2_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace captoken::testing {

class RawHttp2Connection {
 public:
  // Open connects to 127.0.0.1:`port` and sends the client preface and a
  // SETTINGS frame announcing `initial_window_size` (RFC 9113 §6.5.2: how
  // many bytes of each response the server may send before the client
  // grants more, which this client never does). The socket's receive
  // buffer is made small, so unread bytes stay in the server.
  //
  // Fails with UNAVAILABLE if the connection cannot be made.
  static absl::StatusOr<std::unique_ptr<RawHttp2Connection>> Open(
      int port, uint32_t initial_window_size = 65535);

  ~RawHttp2Connection();

  RawHttp2Connection(const RawHttp2Connection&) = delete;
  RawHttp2Connection& operator=(const RawHttp2Connection&) = delete;

  // SendRequest starts a call to `path` on a new stream with `message` (a
  // serialized protobuf) as its whole request, ending the stream.
  //
  // Fails with UNAVAILABLE if the bytes cannot be written.
  absl::Status SendRequest(absl::string_view path, absl::string_view message);

  // SendStalledRequest starts a call to `path` whose request message says it
  // is `message_bytes` long, sends only its first `sent_bytes` (the gRPC
  // length prefix included) and then nothing more. With `mid_frame`, the
  // last DATA frame announces more bytes than are sent, so the server's
  // frame parser is left waiting too; the connection can then carry nothing
  // else, so only the last call on a connection may do that.
  //
  // Fails with UNAVAILABLE if the bytes cannot be written.
  absl::Status SendStalledRequest(absl::string_view path, size_t message_bytes,
                                  size_t sent_bytes, bool mid_frame);

  // ClosedByServer reports whether the server has closed the connection:
  // it discards whatever the server sent so far (without acting on it) and
  // looks for the end of the stream or a reset. It does not wait.
  bool ClosedByServer();

 private:
  explicit RawHttp2Connection(int fd) : fd_(fd) {}

  absl::Status Write(absl::string_view bytes);
  // The HEADERS frame of a new call to `path`; returns its stream id.
  uint32_t StartStream(absl::string_view path, std::string* out);

  const int fd_;
  uint32_t next_stream_id_ = 1;
  bool closed_ = false;
};

}  // namespace captoken::testing

#endif  // CAPTOKEN_TESTS_TESTING_RAW_HTTP2_H_
