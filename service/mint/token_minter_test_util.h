// File: token_minter_test_util.h
// -----------------------------------------------------------------------------
//
// Helpers the TokenMinter tests share (token_minter_test.cc for capability
// tokens, token_minter_kinds_test.cc for the other kinds and batches):
// keys from test secrets and caller policies from config text.
//
// Example:
//
//   accounts.push_back({kSid, TestKey("secret"), false});
//   auto state = std::make_shared<const ServingState>(
//       ServingState{AccountKeys::FromAccounts(std::move(accounts)),
//                    TestPolicies(R"pb(callers { ... })pb")});

#ifndef CAPTOKEN_SERVICE_MINT_TOKEN_MINTER_TEST_UTIL_H_
#define CAPTOKEN_SERVICE_MINT_TOKEN_MINTER_TEST_UTIL_H_

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
#include "service/token/crypto.h"

namespace captoken::mint {

// TestKey prepares `secret` as an HMAC key.
inline token::HmacSha256Key TestKey(absl::string_view secret) {
  absl::StatusOr<token::HmacSha256Key> key =
      token::HmacSha256Key::Create(secret);
  EXPECT_TRUE(key.ok()) << key.status();
  return *std::move(key);
}

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

}  // namespace captoken::mint

#endif  // CAPTOKEN_SERVICE_MINT_TOKEN_MINTER_TEST_UTIL_H_
