// File: typical_request.h
// -----------------------------------------------------------------------------
//
// The benchmarks' typical request, written once: the load generator sends
// it, the minter benchmark mints it, and the token benchmark signs the same
// token (bench/token_benchmark.cc, TypicalSpec). Receive calls as "alice",
// place calls through an application with two parameters, node profile.
//
// Example:
//
//   v1::CapabilityRequest request =
//       bench::TypicalRequest("AC0123456789abcdef0123456789abcdef");

#ifndef CAPTOKEN_BENCH_TYPICAL_REQUEST_H_
#define CAPTOKEN_BENCH_TYPICAL_REQUEST_H_

#include <string>

#include "captoken/v1/capability.pb.h"

namespace captoken::bench {

v1::CapabilityRequest TypicalRequest(const std::string& account_sid);

}  // namespace captoken::bench

#endif  // CAPTOKEN_BENCH_TYPICAL_REQUEST_H_
