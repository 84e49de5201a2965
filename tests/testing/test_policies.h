// File: test_policies.h
// -----------------------------------------------------------------------------
//
// Caller policies for tests, compiled from a config's `callers` in text
// format the way the server compiles them.
//
// Example:
//
//   auto state = std::make_shared<const ServingState>(
//       ServingState{AccountKeys::FromAccounts(std::move(accounts)),
//                    TestPolicies(R"pb(callers { ... })pb")});

#ifndef CAPTOKEN_TESTS_TESTING_TEST_POLICIES_H_
#define CAPTOKEN_TESTS_TESTING_TEST_POLICIES_H_

#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "captoken/v1/config.pb.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "service/authz/caller_policy.h"

namespace captoken::testing {

// TestOpenAccess is no caller policies: every caller may use every account.
inline std::shared_ptr<const authz::CallerPolicies> TestOpenAccess() {
  absl::StatusOr<std::shared_ptr<const authz::CallerPolicies>> policies =
      authz::CallerPolicies::Compile({}, absl::Hours(24));
  EXPECT_TRUE(policies.ok()) << policies.status();
  return *std::move(policies);
}

// TestPolicies compiles the `callers` of a config in text format (empty
// text: open access).
inline std::shared_ptr<const authz::CallerPolicies> TestPolicies(
    const std::string& text) {
  v1::ServerConfig config;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &config))
      << text;
  absl::StatusOr<std::shared_ptr<const authz::CallerPolicies>> policies =
      authz::CallerPolicies::Compile(config.callers(), absl::Hours(24));
  EXPECT_TRUE(policies.ok()) << policies.status();
  return policies.ok() ? *std::move(policies) : TestOpenAccess();
}

}  // namespace captoken::testing

#endif  // CAPTOKEN_TESTS_TESTING_TEST_POLICIES_H_
