#include "tests/testing/raw_http2.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace captoken::testing {
namespace {

constexpr absl::string_view kPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
constexpr uint8_t kData = 0x0;
constexpr uint8_t kHeaders = 0x1;
constexpr uint8_t kSettings = 0x4;
constexpr uint8_t kEndStream = 0x1;
constexpr uint8_t kEndHeaders = 0x4;
constexpr uint16_t kSettingsEnablePush = 0x2;
constexpr uint16_t kSettingsInitialWindowSize = 0x4;
// The largest frame a peer must accept before SETTINGS say otherwise.
constexpr size_t kMaxFrameBytes = 16384;
// The gRPC message prefix: a compression flag and a 32-bit length.
constexpr size_t kGrpcPrefixBytes = 5;

void AppendUint32(uint32_t value, std::string* out) {
  out->push_back(static_cast<char>(value >> 24));
  out->push_back(static_cast<char>(value >> 16));
  out->push_back(static_cast<char>(value >> 8));
  out->push_back(static_cast<char>(value));
}

// A frame header announcing `length` payload bytes (RFC 9113 §4.1).
void AppendFrameHeader(size_t length, uint8_t type, uint8_t flags,
                       uint32_t stream_id, std::string* out) {
  out->push_back(static_cast<char>(length >> 16));
  out->push_back(static_cast<char>(length >> 8));
  out->push_back(static_cast<char>(length));
  out->push_back(static_cast<char>(type));
  out->push_back(static_cast<char>(flags));
  AppendUint32(stream_id & 0x7fffffff, out);
}

// An HPACK integer with a 7-bit prefix (RFC 7541 §5.1), as string lengths
// are written (the Huffman bit is left 0: the string is sent as it is).
void AppendLength(size_t length, std::string* out) {
  if (length < 127) {
    out->push_back(static_cast<char>(length));
    return;
  }
  out->push_back(static_cast<char>(127));
  length -= 127;
  while (length >= 128) {
    out->push_back(static_cast<char>(0x80 | (length & 0x7f)));
    length >>= 7;
  }
  out->push_back(static_cast<char>(length));
}

// A literal header field without indexing, with a literal name (RFC 7541
// §6.2.2: the first byte is 0000 0000).
void AppendHeader(absl::string_view name, absl::string_view value,
                  std::string* out) {
  out->push_back('\0');
  AppendLength(name.size(), out);
  out->append(name.data(), name.size());
  AppendLength(value.size(), out);
  out->append(value.data(), value.size());
}

}  // namespace

absl::StatusOr<std::unique_ptr<RawHttp2Connection>> RawHttp2Connection::Open(
    int port, uint32_t initial_window_size) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::UnavailableError("socket() failed");
  // Small, so the kernel does not read the server's bytes on our behalf.
  const int receive_buffer = 4096;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer,
             sizeof(receive_buffer));
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) !=
      0) {
    close(fd);
    return absl::UnavailableError(absl::StrCat("cannot connect to ", port));
  }
  std::unique_ptr<RawHttp2Connection> connection(new RawHttp2Connection(fd));
  std::string start(kPreface);
  AppendFrameHeader(12, kSettings, 0, 0, &start);
  for (const auto& [id, value] :
       {std::pair<uint16_t, uint32_t>{kSettingsEnablePush, 0},
        {kSettingsInitialWindowSize, initial_window_size}}) {
    start.push_back(static_cast<char>(id >> 8));
    start.push_back(static_cast<char>(id));
    AppendUint32(value, &start);
  }
  if (absl::Status status = connection->Write(start); !status.ok()) {
    return status;
  }
  return connection;
}

RawHttp2Connection::~RawHttp2Connection() { close(fd_); }

absl::Status RawHttp2Connection::Write(absl::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return absl::UnavailableError("cannot write");
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return absl::OkStatus();
}

uint32_t RawHttp2Connection::StartStream(absl::string_view path,
                                         std::string* out) {
  const uint32_t stream_id = next_stream_id_;
  next_stream_id_ += 2;  // Client streams are odd.
  std::string block;
  AppendHeader(":method", "POST", &block);
  AppendHeader(":scheme", "http", &block);
  AppendHeader(":path", path, &block);
  AppendHeader(":authority", "127.0.0.1", &block);
  AppendHeader("content-type", "application/grpc", &block);
  AppendHeader("te", "trailers", &block);
  AppendFrameHeader(block.size(), kHeaders, kEndHeaders, stream_id, out);
  out->append(block);
  return stream_id;
}

absl::Status RawHttp2Connection::SendRequest(absl::string_view path,
                                             absl::string_view message) {
  std::string out;
  const uint32_t stream_id = StartStream(path, &out);
  std::string body(1, '\0');  // Not compressed.
  AppendUint32(static_cast<uint32_t>(message.size()), &body);
  body.append(message.data(), message.size());
  for (size_t at = 0; at < body.size(); at += kMaxFrameBytes) {
    const size_t length = std::min(kMaxFrameBytes, body.size() - at);
    AppendFrameHeader(length, kData,
                      at + length == body.size() ? kEndStream : 0, stream_id,
                      &out);
    out.append(body, at, length);
  }
  return Write(out);
}

absl::Status RawHttp2Connection::SendStalledRequest(absl::string_view path,
                                                    size_t message_bytes,
                                                    size_t sent_bytes,
                                                    bool mid_frame) {
  std::string out;
  const uint32_t stream_id = StartStream(path, &out);
  // What the message holds does not matter: it is never complete.
  std::string body(1, '\0');
  AppendUint32(static_cast<uint32_t>(message_bytes), &body);
  body.resize(kGrpcPrefixBytes + message_bytes, '\x0a');
  sent_bytes = std::min(sent_bytes, body.size());
  for (size_t at = 0; at < sent_bytes; at += kMaxFrameBytes) {
    const size_t length = std::min(kMaxFrameBytes, sent_bytes - at);
    const bool last = at + length == sent_bytes;
    // The last frame may announce a full frame of the message but carry
    // only part of it.
    const size_t announced =
        last && mid_frame ? std::min(kMaxFrameBytes, body.size() - at) : length;
    AppendFrameHeader(announced, kData, 0, stream_id, &out);
    out.append(body, at, length);
  }
  return Write(out);
}

bool RawHttp2Connection::ClosedByServer() {
  char buffer[16384];
  while (!closed_) {
    pollfd readable = {fd_, POLLIN, 0};
    if (poll(&readable, 1, 0) <= 0) break;
    const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) closed_ = true;  // End of stream, or reset.
  }
  return closed_;
}

}  // namespace captoken::testing
