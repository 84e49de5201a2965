// File: metrics_text.h
// -----------------------------------------------------------------------------
//
// ScrapeText is the server's metrics as Prometheus would scrape them (the
// text exposition format), for unit tests that check a counter moved.
//
// Example:
//
//   EXPECT_THAT(ScrapeText(metrics),
//               HasSubstr("captoken_tls_reloads_total{outcome=\"failed\"} 1"));

#ifndef CAPTOKEN_TESTS_TESTING_METRICS_TEXT_H_
#define CAPTOKEN_TESTS_TESTING_METRICS_TEXT_H_

#include <string>

#include "service/observe/metrics.h"

namespace captoken::testing {

std::string ScrapeText(const observe::ServerMetrics& metrics);

}  // namespace captoken::testing

#endif  // CAPTOKEN_TESTS_TESTING_METRICS_TEXT_H_
