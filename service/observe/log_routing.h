// File: log_routing.h
// -----------------------------------------------------------------------------
//
// LibraryLogRoute sends what libprotobuf and gRPC log about themselves
// through the server's Logger, so that every line the server writes is one
// JSON object (log.h). Left alone, each library prints its own text on
// standard error: libprotobuf "[libprotobuf ERROR ...] String field ...
// contains invalid UTF-8" for every request with a bad string, gRPC
// "E1128 15:34:14.384 ... Handshake failed ..." for every failed TLS
// handshake. A log shipper that expects JSON drops or mangles those lines,
// and they are the ones an operator most needs.
//
// The lines keep the library's level and say where they came from:
//
//   {"time":"...","level":"error","event":"grpc_log",
//    "file":"./src/core/tsi/ssl_transport_security.cc","line":1501,
//    "message":"Handshake failed with fatal error SSL_ERROR_SSL: ..."}
//   {"time":"...","level":"error","event":"protobuf_log",
//    "file":"google/protobuf/wire_format_lite.cc","line":618,
//    "message":"String field 'captoken.v1.CapabilityRequest.account_sid'
//               contains invalid UTF-8 data when parsing ..."}
//
// Neither library puts a request's bytes in these messages: protobuf names
// the field, gRPC the peer, a file path or a TLS error.
//
// gRPC's verbosity is set from the Logger's level, replacing
// GRPC_VERBOSITY: with debug, every gRPC line (at gRPC's level: debug,
// info or error); otherwise its errors only. gRPC's info lines are its
// internals and the output of GRPC_TRACE, which can include call metadata:
// debugging aids, kept out of a server's normal log as gRPC's own default
// keeps them out.
//
// Example:
//
//   Logger logger(LogLevel::kInfo);
//   LibraryLogRoute route(&logger);  // first, before gRPC starts
//   ... run the server ...
//   // route, then logger, are destroyed at the end of the scope.

#ifndef CAPTOKEN_SERVICE_OBSERVE_LOG_ROUTING_H_
#define CAPTOKEN_SERVICE_OBSERVE_LOG_ROUTING_H_

#include "service/observe/log.h"

namespace captoken::observe {

class LibraryLogRoute {
 public:
  // LibraryLogRoute routes both libraries' log lines to `logger`, which
  // must outlive it, and sets gRPC's verbosity from the logger's level.
  // Only one route is active at a time: a newer one replaces the older.
  explicit LibraryLogRoute(Logger* logger);

  // ~LibraryLogRoute stops sending lines to the logger. Lines logged after
  // that (gRPC's threads may log while the process exits) are still JSON,
  // written straight to standard error.
  ~LibraryLogRoute();

  LibraryLogRoute(const LibraryLogRoute&) = delete;
  LibraryLogRoute& operator=(const LibraryLogRoute&) = delete;

 private:
  Logger* const logger_;
};

}  // namespace captoken::observe

#endif  // CAPTOKEN_SERVICE_OBSERVE_LOG_ROUTING_H_
