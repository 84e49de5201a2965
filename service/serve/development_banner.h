// File: development_banner.h
// -----------------------------------------------------------------------------
//
// DevelopmentBanner is what a server in development mode (no --config)
// prints for the person at the terminal: that it serves the built-in
// development account on loopback, that account's public credentials, and
// how to mint a first token from another terminal. It is plain text, the
// one thing besides command-line errors the server prints that is not a
// JSON log line (docs/server.md, Logs). It only ever holds the published
// development credentials, never a configured secret.

#ifndef CAPTOKEN_SERVICE_SERVE_DEVELOPMENT_BANNER_H_
#define CAPTOKEN_SERVICE_SERVE_DEVELOPMENT_BANNER_H_

#include <string>

namespace captoken::serve {

// DevelopmentBanner for a server listening on 127.0.0.1:`port`.
std::string DevelopmentBanner(int port);

}  // namespace captoken::serve

#endif  // CAPTOKEN_SERVICE_SERVE_DEVELOPMENT_BANNER_H_
