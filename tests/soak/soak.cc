// soak: a load generator that checks every answer of a running captoken
// server.
//
// It sends --requests calls from --threads threads (each with its own
// connection), a deterministic mix (--seed) of valid and invalid
// MintCapabilityToken and VerifyToken calls, and checks each answer against
// the outcome its kind must have: valid mints return a well-formed token,
// malformed requests INVALID_ARGUMENT, unknown accounts PERMISSION_DENIED,
// tokens it minted verify, tampered ones do not. Optionally it reloads the
// server (SIGHUP, after running --reload_hook) part-way through, and samples
// the server's resident memory. At the end it prints a JSON summary on
// standard output and exits 1 if any valid request failed or any outcome
// was unexpected (2 for a usage or set-up error).
//
// The kind and parameters of call i depend only on (--seed, i), whichever
// thread sends it. Two things depend on timing: which earlier token a
// verification picks, and a verification due before its thread has minted
// anything is sent as a mint instead (a handful per run).
//
// tests/soak/run_soak.sh runs it against an AddressSanitizer build of the
// server; see that script for the whole procedure.

#include <openssl/evp.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "captoken/v1/capability.pb.h"
#include "captoken/v1/token_service.pb.h"
#include "client/cpp/token_client.h"
#include "grpcpp/grpcpp.h"
#include "service/process/command_line.h"

ABSL_FLAG(std::string, server, "", "HOST:PORT of the captoken server");
ABSL_FLAG(int, threads, 8, "concurrent callers, each with its own connection");
ABSL_FLAG(int64_t, requests, 200000, "total number of calls");
ABSL_FLAG(uint64_t, seed, 1, "seed of the request mix");
ABSL_FLAG(std::vector<std::string>, accounts, {},
          "comma-separated account SIDs the server mints for (at least one; "
          "two or more also exercise wrong-account verification)");
ABSL_FLAG(std::vector<std::string>, verify_only_accounts, {},
          "comma-separated verify_only account SIDs (minting must be "
          "PERMISSION_DENIED)");
ABSL_FLAG(std::string, access_account, "",
          "an account of --accounts with an API key, for Access Tokens; "
          "empty: no Access Tokens");
ABSL_FLAG(std::string, default_profile, "python",
          "the server's default profile (python or node): what a request "
          "with PROFILE_UNSPECIFIED must come back with");
ABSL_FLAG(int64_t, default_ttl_seconds, 3600,
          "the server's default token lifetime");
ABSL_FLAG(int64_t, max_ttl_seconds, 86400, "the server's max_ttl");
ABSL_FLAG(int, max_scopes, 16, "the server's max_scopes_per_request");
ABSL_FLAG(int, reload_pid, 0,
          "if set, send SIGHUP to this process once --reload_at of the "
          "requests are done (and sample its memory unless --server_pid)");
ABSL_FLAG(double, reload_at, 0.5, "fraction of the requests before reload");
ABSL_FLAG(std::string, reload_hook, "",
          "shell command run (and required to exit 0) just before the SIGHUP, "
          "e.g. one that rotates a secret file");
ABSL_FLAG(int, server_pid, 0,
          "the server's pid, for sampling VmRSS (default: --reload_pid)");
ABSL_FLAG(absl::Duration, rss_interval, absl::Seconds(1),
          "how often to sample the server's VmRSS");
ABSL_FLAG(double, warmup_fraction, 0.1,
          "fraction of the requests after which memory counts as warmed up");
ABSL_FLAG(absl::Duration, deadline, absl::Seconds(10), "deadline of each call");
ABSL_FLAG(absl::Duration, connect_timeout, absl::Seconds(10),
          "how long to wait for each connection before starting");
ABSL_FLAG(std::string, sample_tokens_file, "",
          "if set, write the first and the last token minted for each "
          "account there (JSON lines), for checking keys after a rotation");
ABSL_FLAG(int, max_failure_examples, 20,
          "how many unexpected outcomes to describe in the summary");

namespace captoken::soak {
namespace {

namespace v1 = ::captoken::v1;
using client::TokenClient;

constexpr char kUsage[] =
    R"(soak: mixed valid and invalid load against a running captoken server.

Usage:
  soak --server=127.0.0.1:PORT --accounts=AC...,AC... [--requests=200000]
       [--threads=8] [--seed=1] [--verify_only_accounts=AC...]
       [--access_account=AC...]
       [--reload_pid=PID --reload_at=0.5 --reload_hook='sh command']
       [--server_pid=PID] [--sample_tokens_file=PATH]

Every answer is checked against the outcome its request must have. Prints a
JSON summary on standard output; exits 1 if any valid request failed or any
outcome was unexpected, 2 on a usage or set-up error.
)";

// A SID no test config names.
constexpr char kUnknownAccount[] = "ACdeadbeefdeadbeefdeadbeefdeadbeef";

// ---------------------------------------------------------------------------
// Deterministic randomness: request i of seed s always gets the same kind and
// the same parameters, whichever thread sends it.

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return SplitMix64(state_);
  }
  // Uniform in [0, n).
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : Next() % n; }
  bool Chance(int percent) {
    return Below(100) < static_cast<uint64_t>(percent);
  }
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[Below(items.size())];
  }

 private:
  uint64_t state_;
};

std::string Hex(Rng& rng, int digits) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(digits);
  for (int i = 0; i < digits; ++i) out.push_back(kDigits[rng.Below(16)]);
  return out;
}

// ---------------------------------------------------------------------------
// The request mix.

enum class Expect {
  kOk,               // a valid call: OK and a correct answer
  kNotValid,         // VerifyToken: OK status, valid=false
  kInvalidArgument,  // a malformed request
  kPermissionDenied  // an account that may not be used
};

absl::string_view ExpectName(Expect expect) {
  switch (expect) {
    case Expect::kOk:
      return "OK";
    case Expect::kNotValid:
      return "OK, valid=false";
    case Expect::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case Expect::kPermissionDenied:
      return "PERMISSION_DENIED";
  }
  return "?";
}

enum class Kind {
  // Valid mints.
  kMintIncoming,
  kMintOutgoing,
  kMintEventStream,
  kMintAllKinds,
  kMintNoScopes,
  kMintMaxScopes,
  kMintExpireTime,
  // Valid mints of the other kinds, and batches mixing valid and refused
  // requests of every kind.
  kMintTaskRouter,
  kMintAccess,
  kBatchMixed,
  // Valid verifications.
  kVerifyOwn,       // a token this thread minted recently
  kVerifyArchived,  // a long-lived token minted before the reload
  // Verifications that must say valid=false.
  kVerifyTamperedSignature,
  kVerifyTamperedPayload,
  kVerifyTruncated,
  kVerifyWrongAccount,
  // INVALID_ARGUMENT.
  kInvalidAccountSid,
  kInvalidTtlZero,
  kInvalidTtlNegative,
  kInvalidTtlFractional,
  kInvalidTtlOverCap,
  kInvalidExpireInPast,
  kInvalidTtlAndExpire,
  kInvalidApplicationSid,
  kInvalidEmptyClientName,
  kInvalidTooManyScopes,
  kInvalidDuplicateParamKeys,
  kInvalidScopeWithoutKind,
  kInvalidPythonNameMismatch,
  kInvalidVerifyEmptyToken,
  kInvalidTaskRouterChannel,
  kInvalidAccessNoIdentity,
  // PERMISSION_DENIED.
  kDeniedUnknownAccount,
  kDeniedVerifyOnlyAccount,
  kDeniedVerifyUnknownAccount,
  kCount
};

struct KindInfo {
  Kind kind;
  const char* name;
  int weight;  // per 1000 requests
  Expect expect;
};

constexpr KindInfo kKinds[] = {
    {Kind::kMintIncoming, "mint_incoming", 80, Expect::kOk},
    {Kind::kMintOutgoing, "mint_outgoing", 80, Expect::kOk},
    {Kind::kMintEventStream, "mint_event_stream", 70, Expect::kOk},
    {Kind::kMintAllKinds, "mint_all_kinds", 80, Expect::kOk},
    {Kind::kMintNoScopes, "mint_no_scopes", 20, Expect::kOk},
    {Kind::kMintMaxScopes, "mint_max_scopes", 20, Expect::kOk},
    {Kind::kMintExpireTime, "mint_expire_time", 40, Expect::kOk},
    {Kind::kMintTaskRouter, "mint_taskrouter", 30, Expect::kOk},
    {Kind::kMintAccess, "mint_access", 30, Expect::kOk},
    {Kind::kBatchMixed, "batch_mint_mixed", 30, Expect::kOk},
    {Kind::kVerifyOwn, "verify_own_token", 110, Expect::kOk},
    {Kind::kVerifyArchived, "verify_archived_token", 40, Expect::kOk},
    {Kind::kVerifyTamperedSignature, "verify_tampered_signature", 40,
     Expect::kNotValid},
    {Kind::kVerifyTamperedPayload, "verify_tampered_payload", 20,
     Expect::kNotValid},
    {Kind::kVerifyTruncated, "verify_truncated", 10, Expect::kNotValid},
    {Kind::kVerifyWrongAccount, "verify_wrong_account", 15, Expect::kNotValid},
    {Kind::kInvalidAccountSid, "invalid_account_sid", 15,
     Expect::kInvalidArgument},
    {Kind::kInvalidTtlZero, "invalid_ttl_zero", 20, Expect::kInvalidArgument},
    {Kind::kInvalidTtlNegative, "invalid_ttl_negative", 10,
     Expect::kInvalidArgument},
    {Kind::kInvalidTtlFractional, "invalid_ttl_fractional", 10,
     Expect::kInvalidArgument},
    {Kind::kInvalidTtlOverCap, "invalid_ttl_over_cap", 10,
     Expect::kInvalidArgument},
    {Kind::kInvalidExpireInPast, "invalid_expire_in_past", 10,
     Expect::kInvalidArgument},
    {Kind::kInvalidTtlAndExpire, "invalid_ttl_and_expire_time", 10,
     Expect::kInvalidArgument},
    {Kind::kInvalidApplicationSid, "invalid_application_sid", 25,
     Expect::kInvalidArgument},
    {Kind::kInvalidEmptyClientName, "invalid_empty_client_name", 25,
     Expect::kInvalidArgument},
    {Kind::kInvalidTooManyScopes, "invalid_too_many_scopes", 20,
     Expect::kInvalidArgument},
    {Kind::kInvalidDuplicateParamKeys, "invalid_duplicate_param_keys", 25,
     Expect::kInvalidArgument},
    {Kind::kInvalidScopeWithoutKind, "invalid_scope_without_kind", 10,
     Expect::kInvalidArgument},
    {Kind::kInvalidPythonNameMismatch, "invalid_python_name_mismatch", 10,
     Expect::kInvalidArgument},
    {Kind::kInvalidVerifyEmptyToken, "invalid_verify_empty_token", 10,
     Expect::kInvalidArgument},
    {Kind::kInvalidTaskRouterChannel, "invalid_taskrouter_channel", 10,
     Expect::kInvalidArgument},
    {Kind::kInvalidAccessNoIdentity, "invalid_access_no_identity", 10,
     Expect::kInvalidArgument},
    {Kind::kDeniedUnknownAccount, "denied_unknown_account", 35,
     Expect::kPermissionDenied},
    {Kind::kDeniedVerifyOnlyAccount, "denied_verify_only_account", 10,
     Expect::kPermissionDenied},
    {Kind::kDeniedVerifyUnknownAccount, "denied_verify_unknown_account", 10,
     Expect::kPermissionDenied},
};
constexpr int kKindCount = static_cast<int>(Kind::kCount);
static_assert(sizeof(kKinds) / sizeof(kKinds[0]) == kKindCount,
              "one entry per kind, in enum order");

constexpr int TotalWeight() {
  int total = 0;
  for (const KindInfo& info : kKinds) total += info.weight;
  return total;
}
static_assert(TotalWeight() == 1000, "weights are per mille");

const KindInfo& Info(Kind kind) { return kKinds[static_cast<int>(kind)]; }

Kind KindFor(uint64_t roll) {
  int point = static_cast<int>(roll % 1000);
  for (const KindInfo& info : kKinds) {
    if (point < info.weight) return info.kind;
    point -= info.weight;
  }
  return Kind::kMintIncoming;
}

// ---------------------------------------------------------------------------
// Shared state.

struct Config {
  std::string server;
  int threads = 8;
  int64_t requests = 0;
  uint64_t seed = 1;
  std::vector<std::string> accounts;
  std::vector<std::string> verify_only_accounts;
  std::string access_account;  // empty: no Access Tokens
  v1::Profile default_profile = v1::PROFILE_TWILIO_PYTHON;
  int64_t default_ttl_seconds = 3600;
  int64_t max_ttl_seconds = 86400;
  int max_scopes = 16;
  absl::Duration deadline;
  int max_failure_examples = 20;
};

// A token this run minted, kept for verification later.
struct MintedToken {
  std::string token;
  std::string account_sid;
  int64_t expire_seconds = 0;
  absl::Time minted_at;
  bool before_reload = true;
};

struct Counters {
  int64_t sent = 0;
  int64_t as_expected = 0;
  int64_t unexpected = 0;
  int64_t after_reload = 0;  // sent after the SIGHUP
  int64_t as_expected_after_reload = 0;
};

struct FailureExample {
  int64_t index;
  std::string kind;
  std::string expected;
  std::string got;
  bool after_reload;
};

struct Shared {
  explicit Shared(const Config& c) : config(c) {}

  const Config& config;
  std::atomic<int64_t> next_index{0};
  std::atomic<int64_t> completed{0};
  std::atomic<bool> reload_sent{false};
  std::atomic<bool> done{false};

  // Long-lived tokens minted before the reload; verified all run long.
  absl::Mutex archive_mutex;
  std::vector<MintedToken> archive ABSL_GUARDED_BY(archive_mutex);
  std::atomic<bool> archive_full{false};

  absl::Mutex failures_mutex;
  std::vector<FailureExample> failure_examples ABSL_GUARDED_BY(failures_mutex);
};

constexpr size_t kArchiveSize = 1024;
constexpr size_t kRingSize = 64;

// ---------------------------------------------------------------------------
// Checks on answers.

std::string Sha256Prefix16(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(),
                 nullptr) != 1 ||
      length < 8) {
    return "";
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), 8));
}

std::vector<absl::string_view> Segments(absl::string_view token) {
  return absl::StrSplit(token, '.');
}

std::string DescribeStatus(const absl::Status& status) {
  return absl::StrCat(absl::StatusCodeToString(status.code()), ": ",
                      status.message());
}

// The outcome of one call: empty if as expected, else what went wrong.
using Problem = std::string;

// The lifetime a valid mint asked for.
struct Lifetime {
  enum Mode { kDefault, kTtl, kExpireTime } mode = kDefault;
  int64_t seconds = 0;  // ttl, or expire_time's Unix seconds
};

// Checks a minted token of any kind against what was asked: its profile
// (`requested`, or the server's default) and its lifetime.
Problem CheckToken(const v1::TokenResponse& response, v1::Profile requested,
                   const Lifetime& lifetime, const Config& config) {
  const std::string& token = response.token();
  if (Segments(token).size() != 3) return "token is not a compact JWT";
  const v1::Profile expected_profile =
      requested == v1::PROFILE_UNSPECIFIED ? config.default_profile : requested;
  if (response.profile() != expected_profile) {
    return absl::StrCat("profile ", v1::Profile_Name(response.profile()),
                        ", want ", v1::Profile_Name(expected_profile));
  }
  if (response.token_fingerprint() != Sha256Prefix16(token)) {
    return "token_fingerprint is not the token's SHA-256 prefix";
  }
  const int64_t issued = response.issue_time().seconds();
  const int64_t expires = response.expire_time().seconds();
  switch (lifetime.mode) {
    case Lifetime::kDefault:
      if (expires - issued != config.default_ttl_seconds) {
        return absl::StrCat("lifetime ", expires - issued, " s, want default ",
                            config.default_ttl_seconds, " s");
      }
      break;
    case Lifetime::kTtl:
      if (expires - issued != lifetime.seconds) {
        return absl::StrCat("lifetime ", expires - issued, " s, want ",
                            lifetime.seconds, " s");
      }
      break;
    case Lifetime::kExpireTime:
      if (expires != lifetime.seconds) {
        return absl::StrCat("expire_time ", expires, ", want ",
                            lifetime.seconds);
      }
      break;
  }
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  if (issued < now - 60 || issued > now + 60) {
    return "issue_time is not about now";
  }
  return "";
}

template <typename Request>
Problem CheckMinted(const absl::StatusOr<v1::TokenResponse>& response,
                    const Request& request, const Lifetime& lifetime,
                    const Config& config) {
  if (!response.ok()) return DescribeStatus(response.status());
  return CheckToken(*response, request.profile(), lifetime, config);
}

Problem CheckVerifiedValid(
    const absl::StatusOr<v1::VerifyTokenResponse>& response,
    const MintedToken& minted) {
  if (!response.ok()) return DescribeStatus(response.status());
  if (!response->valid()) {
    return absl::StrCat(
        "valid=false, ", v1::VerificationFailure_Name(response->failure()),
        minted.before_reload ? " (token minted before the reload)" : "");
  }
  if (response->failure() != v1::VERIFICATION_FAILURE_UNSPECIFIED) {
    return "valid=true with a failure reason";
  }
  if (response->account_sid() != minted.account_sid) {
    return "claims name another account";
  }
  if (response->expire_time().seconds() != minted.expire_seconds) {
    return "claims carry another expire_time";
  }
  return "";
}

Problem CheckNotValid(const absl::StatusOr<v1::VerifyTokenResponse>& response) {
  if (!response.ok()) return DescribeStatus(response.status());
  if (response->valid()) return "a tampered token verified";
  if (response->failure() == v1::VERIFICATION_FAILURE_UNSPECIFIED) {
    return "valid=false without a reason";
  }
  if (!response->account_sid().empty() || response->scopes_size() != 0) {
    return "claims returned for a token whose signature did not verify";
  }
  return "";
}

template <typename T>
Problem CheckCode(const absl::StatusOr<T>& response, absl::StatusCode want) {
  if (response.ok()) {
    return absl::StrCat("OK, want ", absl::StatusCodeToString(want));
  }
  if (response.status().code() != want) {
    return DescribeStatus(response.status());
  }
  if (response.status().message().empty()) return "error without a message";
  return "";
}

// ---------------------------------------------------------------------------
// Building requests.

v1::Param* AddParam(google::protobuf::RepeatedPtrField<v1::Param>* params,
                    absl::string_view key, absl::string_view value) {
  v1::Param* param = params->Add();
  param->set_key(std::string(key));
  param->set_value(std::string(value));
  return param;
}

std::string ClientName(Rng& rng) {
  static const std::vector<std::string> kStems = {"alice", "bob", "agent",
                                                  "support_desk", "caller"};
  return absl::StrCat(rng.Pick(kStems), "_", rng.Below(100000));
}

std::string ApplicationSid(Rng& rng) { return "AP" + Hex(rng, 32); }

void AddIncoming(v1::CapabilityRequest* request, const std::string& name) {
  request->add_scopes()->mutable_client_incoming()->set_client_name(name);
}

void AddOutgoing(v1::CapabilityRequest* request, Rng& rng,
                 const std::string& client_name) {
  v1::ClientOutgoing* outgoing =
      request->add_scopes()->mutable_client_outgoing();
  outgoing->set_application_sid(ApplicationSid(rng));
  static const std::vector<std::string> kValues = {
      "1", "a b", "x&y=z", "caf\xc3\xa9", "", "/path?q=1", "\xe2\x9c\x93"};
  const int params = static_cast<int>(rng.Below(4));
  for (int i = 0; i < params; ++i) {
    AddParam(outgoing->mutable_params(), absl::StrCat("param", i),
             rng.Pick(kValues));
  }
  if (!client_name.empty()) outgoing->set_client_name(client_name);
}

void AddEventStream(v1::CapabilityRequest* request, Rng& rng) {
  v1::EventStream* stream = request->add_scopes()->mutable_event_stream();
  static const std::vector<std::string> kKeys = {"path", "account", "type",
                                                 "region"};
  const int filters = static_cast<int>(rng.Below(3));
  for (int i = 0; i < filters; ++i) {
    AddParam(stream->mutable_filters(), kKeys[i],
             absl::StrCat("value-", rng.Below(1000)));
  }
}

v1::Profile RandomProfile(Rng& rng) {
  switch (rng.Below(5)) {
    case 0:
      return v1::PROFILE_UNSPECIFIED;
    case 1:
      return v1::PROFILE_TWILIO_PYTHON;
    case 2:
      return v1::PROFILE_TWILIO_PYTHON_6;
    case 3:
      return v1::PROFILE_TWILIO_PYTHON_7;
    default:
      return v1::PROFILE_TWILIO_NODE;
  }
}

// Sets a random valid lifetime: none, a ttl, or (for kMintExpireTime) an
// expire_time.
Lifetime SetLifetime(v1::CapabilityRequest* request, Rng& rng, bool expire_time,
                     const Config& config) {
  Lifetime lifetime;
  if (expire_time) {
    lifetime.mode = Lifetime::kExpireTime;
    lifetime.seconds = absl::ToUnixSeconds(absl::Now()) + 1800 +
                       static_cast<int64_t>(rng.Below(1800));
    request->mutable_expire_time()->set_seconds(lifetime.seconds);
    return lifetime;
  }
  // TTLs are at least 10 minutes, so a kept token outlives the run.
  static const std::vector<int64_t> kTtls = {600, 3600, 7200};
  switch (rng.Below(3)) {
    case 0:
      return lifetime;  // the server's default
    case 1:
      lifetime.mode = Lifetime::kTtl;
      lifetime.seconds = rng.Pick(kTtls);
      break;
    default:
      lifetime.mode = Lifetime::kTtl;
      lifetime.seconds = config.max_ttl_seconds;
      break;
  }
  request->mutable_ttl()->set_seconds(lifetime.seconds);
  return lifetime;
}

// A valid request of `kind` (one of the kMint kinds).
v1::CapabilityRequest ValidMint(Kind kind, Rng& rng, const Config& config,
                                Lifetime* lifetime) {
  v1::CapabilityRequest request;
  request.set_account_sid(rng.Pick(config.accounts));
  request.set_profile(RandomProfile(rng));
  const std::string name = ClientName(rng);
  switch (kind) {
    case Kind::kMintIncoming:
      AddIncoming(&request, name);
      break;
    case Kind::kMintOutgoing:
      // An outgoing client name alone is valid in both profiles.
      AddOutgoing(&request, rng, rng.Chance(50) ? name : "");
      break;
    case Kind::kMintEventStream:
      AddEventStream(&request, rng);
      break;
    case Kind::kMintAllKinds:
    case Kind::kMintExpireTime:
      AddIncoming(&request, name);
      // Python requires the outgoing name, if any, to be the incoming one.
      AddOutgoing(&request, rng, rng.Chance(50) ? name : "");
      AddEventStream(&request, rng);
      break;
    case Kind::kMintNoScopes:
      break;
    case Kind::kMintMaxScopes:
      for (int i = 0; i < config.max_scopes; ++i) {
        switch (i % 3) {
          case 0:
            AddIncoming(&request, name);
            break;
          case 1:
            AddOutgoing(&request, rng, "");
            break;
          default:
            AddEventStream(&request, rng);
            break;
        }
      }
      break;
    default:
      break;
  }
  *lifetime = SetLifetime(&request, rng, kind == Kind::kMintExpireTime, config);
  return request;
}

// An explicit TTL for the other kinds (whose defaults and caps the soak
// does not mirror), at least 10 minutes like the capability tokens'.
template <typename Request>
Lifetime SetTtl(Request* request, Rng& rng) {
  static const std::vector<int64_t> kTtls = {600, 3600, 7200};
  Lifetime lifetime;
  lifetime.mode = Lifetime::kTtl;
  lifetime.seconds = rng.Pick(kTtls);
  request->mutable_ttl()->set_seconds(lifetime.seconds);
  return lifetime;
}

// A valid TaskRouter request: a worker's, a task queue's or the
// workspace's channel, with a standard policy set or two and a policy.
v1::TaskRouterRequest ValidTaskRouter(Rng& rng, const Config& config,
                                      Lifetime* lifetime) {
  v1::TaskRouterRequest request;
  request.set_account_sid(rng.Pick(config.accounts));
  request.set_profile(RandomProfile(rng));
  request.set_workspace_sid("WS" + Hex(rng, 32));
  switch (rng.Below(3)) {
    case 0:
      request.set_channel_id("WK" + Hex(rng, 32));
      request.add_policy_sets(v1::TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS);
      break;
    case 1:
      request.set_channel_id("WQ" + Hex(rng, 32));
      request.add_policy_sets(v1::TASK_ROUTER_POLICY_SET_EVENT_BRIDGE);
      break;
    default:
      request.set_channel_id(request.workspace_sid());
      request.add_policy_sets(v1::TASK_ROUTER_POLICY_SET_EVENT_BRIDGE);
      request.add_policy_sets(v1::TASK_ROUTER_POLICY_SET_FETCH_SUBRESOURCES);
      break;
  }
  if (rng.Chance(50)) request.set_friendly_name(ClientName(rng));
  v1::TaskRouterPolicy* policy = request.add_policies();
  policy->set_url(absl::StrCat("https://taskrouter.twilio.com/v1/Workspaces/",
                               request.workspace_sid(), "/Activities"));
  policy->set_method(rng.Chance(50) ? "GET" : "POST");
  *lifetime = SetTtl(&request, rng);
  return request;
}

// A valid Access Token request for the account with an API key, with one
// to three grants.
v1::AccessTokenRequest ValidAccess(Rng& rng, const Config& config,
                                   Lifetime* lifetime) {
  v1::AccessTokenRequest request;
  request.set_account_sid(config.access_account);
  request.set_profile(RandomProfile(rng));
  request.set_identity(ClientName(rng));
  request.add_grants()->mutable_video()->set_room(
      absl::StrCat("room-", rng.Below(1000)));
  if (rng.Chance(50)) {
    v1::VoiceGrant* voice = request.add_grants()->mutable_voice();
    voice->set_incoming_allow(true);
    voice->set_outgoing_application_sid(ApplicationSid(rng));
  }
  if (rng.Chance(50)) {
    request.add_grants()->mutable_sync()->set_service_sid("IS" + Hex(rng, 32));
  }
  *lifetime = SetTtl(&request, rng);
  return request;
}

// A request that must be refused with INVALID_ARGUMENT (or, for unknown
// accounts, PERMISSION_DENIED). Everything but the defect is valid.
v1::CapabilityRequest RefusedMint(Kind kind, Rng& rng, const Config& config) {
  v1::CapabilityRequest request;
  request.set_account_sid(rng.Pick(config.accounts));
  request.set_profile(RandomProfile(rng));
  const std::string name = ClientName(rng);
  AddIncoming(&request, name);
  switch (kind) {
    case Kind::kInvalidAccountSid: {
      static const std::vector<std::string> kBad = {
          "",
          "AC123",
          "ACzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
          "AP0123456789abcdef0123456789abcdef",
          "AC0123456789abcdef0123456789abcdef0",
          "ac0123456789abcdef0123456789abcdef"};
      request.set_account_sid(rng.Pick(kBad));
      break;
    }
    case Kind::kInvalidTtlZero:
      request.mutable_ttl()->set_seconds(0);
      break;
    case Kind::kInvalidTtlNegative:
      request.mutable_ttl()->set_seconds(-1 -
                                         static_cast<int64_t>(rng.Below(3600)));
      break;
    case Kind::kInvalidTtlFractional:
      request.mutable_ttl()->set_seconds(60);
      request.mutable_ttl()->set_nanos(500000000);
      break;
    case Kind::kInvalidTtlOverCap:
      request.mutable_ttl()->set_seconds(config.max_ttl_seconds + 1 +
                                         static_cast<int64_t>(rng.Below(1000)));
      break;
    case Kind::kInvalidExpireInPast:
      request.mutable_expire_time()->set_seconds(
          absl::ToUnixSeconds(absl::Now()) - 3600);
      break;
    case Kind::kInvalidTtlAndExpire:
      request.mutable_ttl()->set_seconds(600);
      request.mutable_expire_time()->set_seconds(
          absl::ToUnixSeconds(absl::Now()) + 600);
      break;
    case Kind::kInvalidApplicationSid: {
      static const std::vector<std::string> kBad = {
          "", "AP123", "AC0123456789abcdef0123456789abcdef",
          "APzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"};
      v1::ClientOutgoing* outgoing =
          request.add_scopes()->mutable_client_outgoing();
      outgoing->set_application_sid(rng.Pick(kBad));
      break;
    }
    case Kind::kInvalidEmptyClientName:
      request.clear_scopes();
      AddEventStream(&request, rng);
      AddIncoming(&request, "");
      break;
    case Kind::kInvalidTooManyScopes:
      for (int i = 1; i <= config.max_scopes; ++i) {
        AddIncoming(&request, name);
      }
      break;
    case Kind::kInvalidDuplicateParamKeys:
      if (rng.Chance(50)) {
        v1::ClientOutgoing* outgoing =
            request.add_scopes()->mutable_client_outgoing();
        outgoing->set_application_sid(ApplicationSid(rng));
        AddParam(outgoing->mutable_params(), "key", "1");
        AddParam(outgoing->mutable_params(), "other", "2");
        AddParam(outgoing->mutable_params(), "key", "3");
      } else {
        v1::EventStream* stream = request.add_scopes()->mutable_event_stream();
        AddParam(stream->mutable_filters(), "path", "a");
        AddParam(stream->mutable_filters(), "path", "a");
      }
      break;
    case Kind::kInvalidScopeWithoutKind:
      request.add_scopes();
      break;
    case Kind::kInvalidPythonNameMismatch:
      request.set_profile(v1::PROFILE_TWILIO_PYTHON);
      AddOutgoing(&request, rng, name + "_other");
      break;
    case Kind::kDeniedUnknownAccount:
      request.set_account_sid(kUnknownAccount);
      break;
    case Kind::kDeniedVerifyOnlyAccount:
      request.set_account_sid(config.verify_only_accounts.empty()
                                  ? std::string(kUnknownAccount)
                                  : rng.Pick(config.verify_only_accounts));
      break;
    default:
      break;
  }
  return request;
}

// A TaskRouter request whose channel is neither a worker, a task queue nor
// the workspace.
v1::TaskRouterRequest InvalidTaskRouter(Rng& rng, const Config& config) {
  Lifetime unused;
  v1::TaskRouterRequest request = ValidTaskRouter(rng, config, &unused);
  static const std::vector<std::string> kBad = {
      "", "WK123", "CA0123456789abcdef0123456789abcdef",
      "WKzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"};
  request.set_channel_id(rng.Pick(kBad));
  return request;
}

// One item of a mixed batch, and the code it must come back with.
struct BatchItem {
  absl::StatusCode want = absl::StatusCode::kOk;
  v1::Profile requested = v1::PROFILE_UNSPECIFIED;
  Lifetime lifetime;
};

// A batch of 2 to 8 requests of every kind, valid and refused mixed:
// each item must come back as the single call would have.
v1::BatchMintRequest MixedBatch(Rng& rng, const Config& config,
                                std::vector<BatchItem>* items) {
  v1::BatchMintRequest batch;
  const int size = 2 + static_cast<int>(rng.Below(7));
  for (int i = 0; i < size; ++i) {
    v1::MintRequest* item = batch.add_requests();
    BatchItem expected;
    switch (rng.Below(6)) {
      case 0:
        *item->mutable_capability() = ValidMint(
            rng.Chance(50) ? Kind::kMintIncoming : Kind::kMintAllKinds, rng,
            config, &expected.lifetime);
        expected.requested = item->capability().profile();
        break;
      case 1:
        *item->mutable_taskrouter() =
            ValidTaskRouter(rng, config, &expected.lifetime);
        expected.requested = item->taskrouter().profile();
        break;
      case 2:
        if (!config.access_account.empty()) {
          *item->mutable_access() =
              ValidAccess(rng, config, &expected.lifetime);
          expected.requested = item->access().profile();
          break;
        }
        [[fallthrough]];
      case 3:
        *item->mutable_capability() =
            RefusedMint(Kind::kInvalidAccountSid, rng, config);
        expected.want = absl::StatusCode::kInvalidArgument;
        break;
      case 4:
        *item->mutable_capability() =
            RefusedMint(Kind::kDeniedUnknownAccount, rng, config);
        expected.want = absl::StatusCode::kPermissionDenied;
        break;
      default:
        *item->mutable_taskrouter() = InvalidTaskRouter(rng, config);
        expected.want = absl::StatusCode::kInvalidArgument;
        break;
    }
    items->push_back(expected);
  }
  return batch;
}

Problem CheckBatch(const absl::StatusOr<v1::BatchMintResponse>& response,
                   const std::vector<BatchItem>& items, const Config& config) {
  if (!response.ok()) return DescribeStatus(response.status());
  if (response->results_size() != static_cast<int>(items.size())) {
    return absl::StrCat(response->results_size(), " results for ", items.size(),
                        " requests");
  }
  for (size_t i = 0; i < items.size(); ++i) {
    const v1::MintResult& result = response->results(static_cast<int>(i));
    const auto code = static_cast<absl::StatusCode>(result.code());
    if (code != items[i].want) {
      return absl::StrCat("item ", i, ": ", absl::StatusCodeToString(code),
                          " (", result.message(), "), want ",
                          absl::StatusCodeToString(items[i].want));
    }
    if (code != absl::StatusCode::kOk) {
      if (result.message().empty()) {
        return absl::StrCat("item ", i, ": refused without a message");
      }
      if (result.has_token()) {
        return absl::StrCat("item ", i, ": refused but carries a token");
      }
      continue;
    }
    Problem problem = CheckToken(result.token(), items[i].requested,
                                 items[i].lifetime, config);
    if (!problem.empty()) return absl::StrCat("item ", i, ": ", problem);
  }
  return "";
}

// Replaces the character at `at` with another base64url character, so the
// segment still decodes but to different bytes.
std::string Tamper(absl::string_view token, size_t at) {
  std::string out(token);
  if (at < out.size()) out[at] = out[at] == 'A' ? 'B' : 'A';
  return out;
}

// ---------------------------------------------------------------------------
// One worker thread.

struct WorkerResult {
  std::vector<Counters> counters = std::vector<Counters>(kKindCount);
  std::vector<uint32_t> latencies_us;
  // The first and the last token minted for each account.
  std::vector<MintedToken> first_tokens;
  std::vector<MintedToken> last_tokens;
  absl::Status setup = absl::OkStatus();
};

class Worker {
 public:
  Worker(Shared* shared, WorkerResult* result)
      : shared_(shared),
        config_(shared->config),
        result_(result),
        first_(config_.accounts.size()),
        last_(config_.accounts.size()) {}

  absl::Status Connect() {
    grpc::ChannelArguments args;
    // One connection per thread, not one shared by every channel.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    std::shared_ptr<grpc::Channel> channel = grpc::CreateCustomChannel(
        config_.server, grpc::InsecureChannelCredentials(), args);
    if (!channel->WaitForConnected(absl::ToChronoTime(
            absl::Now() + absl::GetFlag(FLAGS_connect_timeout)))) {
      return absl::UnavailableError(
          absl::StrCat("cannot connect to ", config_.server));
    }
    client::TokenClientOptions options;
    options.deadline = config_.deadline;
    absl::StatusOr<std::unique_ptr<TokenClient>> client =
        TokenClient::Wrap(std::move(channel), options);
    if (!client.ok()) return client.status();
    client_ = *std::move(client);
    return absl::OkStatus();
  }

  void Run() {
    result_->latencies_us.reserve(
        static_cast<size_t>(config_.requests / config_.threads + 1024));
    while (true) {
      const int64_t index = shared_->next_index.fetch_add(1);
      if (index >= config_.requests) break;
      One(index);
      shared_->completed.fetch_add(1);
    }
    for (size_t i = 0; i < config_.accounts.size(); ++i) {
      if (!first_[i].token.empty()) result_->first_tokens.push_back(first_[i]);
      if (!last_[i].token.empty()) result_->last_tokens.push_back(last_[i]);
    }
  }

 private:
  void One(int64_t index) {
    Rng rng(SplitMix64(config_.seed * 0x100000001b3ULL ^
                       static_cast<uint64_t>(index)));
    Kind kind = KindFor(rng.Next());
    // Verifications need a token; before there is one, mint one instead.
    if (kind == Kind::kVerifyArchived && !HasArchive()) kind = Kind::kVerifyOwn;
    if (kind >= Kind::kVerifyOwn && kind <= Kind::kVerifyWrongAccount &&
        ring_.empty()) {
      kind = Kind::kMintIncoming;
    }
    if ((kind == Kind::kMintAccess || kind == Kind::kInvalidAccessNoIdentity) &&
        config_.access_account.empty()) {
      kind = kind == Kind::kMintAccess ? Kind::kMintTaskRouter
                                       : Kind::kInvalidTaskRouterChannel;
    }
    if (kind == Kind::kVerifyWrongAccount && config_.accounts.size() < 2) {
      kind = Kind::kVerifyTamperedSignature;
    }
    const bool after_reload = shared_->reload_sent.load();
    const absl::Time start = absl::Now();
    const Problem problem = Call(kind, rng);
    const absl::Duration took = absl::Now() - start;
    result_->latencies_us.push_back(static_cast<uint32_t>(
        std::min<int64_t>(absl::ToInt64Microseconds(took), UINT32_MAX)));

    Counters& counters = result_->counters[static_cast<int>(kind)];
    ++counters.sent;
    if (after_reload) ++counters.after_reload;
    if (problem.empty()) {
      ++counters.as_expected;
      if (after_reload) ++counters.as_expected_after_reload;
      return;
    }
    ++counters.unexpected;
    absl::MutexLock lock(&shared_->failures_mutex);
    if (static_cast<int>(shared_->failure_examples.size()) <
        config_.max_failure_examples) {
      shared_->failure_examples.push_back(
          {index, Info(kind).name, std::string(ExpectName(Info(kind).expect)),
           problem, after_reload});
    }
  }

  bool HasArchive() {
    absl::ReaderMutexLock lock(&shared_->archive_mutex);
    return !shared_->archive.empty();
  }

  MintedToken ArchivedToken(Rng& rng) {
    absl::ReaderMutexLock lock(&shared_->archive_mutex);
    return shared_->archive[rng.Below(shared_->archive.size())];
  }

  template <typename Request>
  void KeepMinted(const v1::TokenResponse& response, const Request& request,
                  bool before_reload, bool sample = true) {
    Keep({response.token(), request.account_sid(),
          response.expire_time().seconds(), absl::Now(), before_reload},
         response.expire_time().seconds() - response.issue_time().seconds(),
         sample);
  }

  // Keeps `minted` for later verification (and, if `sample`, as its
  // account's first or last token, which run_soak.sh checks against the
  // account's auth tokens: not for Access Tokens, signed with an API key).
  void Keep(const MintedToken& minted, int64_t lifetime_seconds,
            bool sample = true) {
    if (ring_.size() < kRingSize) {
      ring_.push_back(minted);
    } else {
      ring_[ring_next_++ % kRingSize] = minted;
    }
    const size_t account = static_cast<size_t>(
        std::find(config_.accounts.begin(), config_.accounts.end(),
                  minted.account_sid) -
        config_.accounts.begin());
    if (sample && account < first_.size()) {
      if (first_[account].token.empty()) first_[account] = minted;
      last_[account] = minted;
    }
    // Long-lived tokens minted before the reload must verify all run long.
    if (minted.before_reload && lifetime_seconds >= 3600 &&
        !shared_->archive_full.load(std::memory_order_relaxed) &&
        !shared_->reload_sent.load()) {
      absl::MutexLock lock(&shared_->archive_mutex);
      if (shared_->archive.size() < kArchiveSize) {
        shared_->archive.push_back(minted);
      } else {
        shared_->archive_full.store(true);
      }
    }
  }

  Problem Call(Kind kind, Rng& rng) {
    switch (kind) {
      case Kind::kMintIncoming:
      case Kind::kMintOutgoing:
      case Kind::kMintEventStream:
      case Kind::kMintAllKinds:
      case Kind::kMintNoScopes:
      case Kind::kMintMaxScopes:
      case Kind::kMintExpireTime: {
        Lifetime lifetime;
        const v1::CapabilityRequest request =
            ValidMint(kind, rng, config_, &lifetime);
        // Whether the SIGHUP went before the call started: a token minted
        // before it is signed with the old secret.
        const bool before_reload = !shared_->reload_sent.load();
        const absl::StatusOr<v1::TokenResponse> response =
            client_->MintCapabilityToken(request);
        Problem problem = CheckMinted(response, request, lifetime, config_);
        if (problem.empty()) KeepMinted(*response, request, before_reload);
        return problem;
      }
      case Kind::kMintTaskRouter: {
        Lifetime lifetime;
        const v1::TaskRouterRequest request =
            ValidTaskRouter(rng, config_, &lifetime);
        const bool before_reload = !shared_->reload_sent.load();
        const absl::StatusOr<v1::TokenResponse> response =
            client_->MintTaskRouterToken(request);
        Problem problem = CheckMinted(response, request, lifetime, config_);
        // Kept like a capability token: verified, tampered with and (if
        // long-lived) re-verified after the rotation, by the same checks.
        if (problem.empty()) KeepMinted(*response, request, before_reload);
        return problem;
      }
      case Kind::kMintAccess: {
        Lifetime lifetime;
        const v1::AccessTokenRequest request =
            ValidAccess(rng, config_, &lifetime);
        const bool before_reload = !shared_->reload_sent.load();
        const absl::StatusOr<v1::TokenResponse> response =
            client_->MintAccessToken(request);
        Problem problem = CheckMinted(response, request, lifetime, config_);
        if (problem.empty()) {
          KeepMinted(*response, request, before_reload, /*sample=*/false);
        }
        return problem;
      }
      case Kind::kBatchMixed: {
        std::vector<BatchItem> items;
        const v1::BatchMintRequest request = MixedBatch(rng, config_, &items);
        return CheckBatch(client_->BatchMint(request), items, config_);
      }
      case Kind::kInvalidTaskRouterChannel:
        return CheckCode(
            client_->MintTaskRouterToken(InvalidTaskRouter(rng, config_)),
            absl::StatusCode::kInvalidArgument);
      case Kind::kInvalidAccessNoIdentity: {
        Lifetime unused;
        v1::AccessTokenRequest request = ValidAccess(rng, config_, &unused);
        request.clear_identity();
        return CheckCode(client_->MintAccessToken(request),
                         absl::StatusCode::kInvalidArgument);
      }
      case Kind::kVerifyOwn:
      case Kind::kVerifyArchived: {
        const MintedToken minted = kind == Kind::kVerifyArchived
                                       ? ArchivedToken(rng)
                                       : ring_[rng.Below(ring_.size())];
        v1::VerifyTokenRequest request;
        request.set_token(minted.token);
        if (rng.Chance(50)) request.set_account_sid(minted.account_sid);
        return CheckVerifiedValid(client_->VerifyToken(request), minted);
      }
      case Kind::kVerifyTamperedSignature:
      case Kind::kVerifyTamperedPayload:
      case Kind::kVerifyTruncated:
      case Kind::kVerifyWrongAccount: {
        const MintedToken& minted = ring_[rng.Below(ring_.size())];
        const std::vector<absl::string_view> parts = Segments(minted.token);
        v1::VerifyTokenRequest request;
        request.set_account_sid(minted.account_sid);
        const size_t payload_at = parts[0].size() + 1;
        const size_t signature_at = payload_at + parts[1].size() + 1;
        switch (kind) {
          case Kind::kVerifyTamperedSignature:
            // A character in the middle of the signature: 6 whole bits.
            request.set_token(Tamper(
                minted.token, signature_at + rng.Below(parts[2].size() - 2)));
            if (rng.Chance(50)) request.clear_account_sid();
            break;
          case Kind::kVerifyTamperedPayload:
            request.set_token(Tamper(
                minted.token, payload_at + rng.Below(parts[1].size() - 2)));
            break;
          case Kind::kVerifyTruncated:
            request.set_token(minted.token.substr(0, signature_at - 1));
            break;
          default: {  // kVerifyWrongAccount
            std::string other;
            do {
              other = rng.Pick(config_.accounts);
            } while (other == minted.account_sid);
            request.set_account_sid(other);
            request.set_token(minted.token);
            break;
          }
        }
        return CheckNotValid(client_->VerifyToken(request));
      }
      case Kind::kInvalidVerifyEmptyToken: {
        v1::VerifyTokenRequest request;
        request.set_account_sid(rng.Pick(config_.accounts));
        return CheckCode(client_->VerifyToken(request),
                         absl::StatusCode::kInvalidArgument);
      }
      case Kind::kDeniedVerifyUnknownAccount: {
        v1::VerifyTokenRequest request;
        request.set_token(ring_.empty() ? std::string("x.y.z")
                                        : ring_[rng.Below(ring_.size())].token);
        request.set_account_sid(kUnknownAccount);
        return CheckCode(client_->VerifyToken(request),
                         absl::StatusCode::kPermissionDenied);
      }
      default: {
        const v1::CapabilityRequest request = RefusedMint(kind, rng, config_);
        return CheckCode(client_->MintCapabilityToken(request),
                         Info(kind).expect == Expect::kPermissionDenied
                             ? absl::StatusCode::kPermissionDenied
                             : absl::StatusCode::kInvalidArgument);
      }
    }
  }

  Shared* shared_;
  const Config& config_;
  WorkerResult* result_;
  std::unique_ptr<TokenClient> client_;
  std::vector<MintedToken> ring_;
  size_t ring_next_ = 0;
  std::vector<MintedToken> first_;
  std::vector<MintedToken> last_;
};

// ---------------------------------------------------------------------------
// Reloading and memory sampling, on a thread of their own.

absl::StatusOr<int64_t> ResidentKib(int pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  if (!status) {
    return absl::NotFoundError(absl::StrCat("cannot read /proc/", pid,
                                            "/status: ", std::strerror(errno)));
  }
  std::string line;
  while (std::getline(status, line)) {
    absl::string_view view(line);
    if (!absl::ConsumePrefix(&view, "VmRSS:")) continue;
    view = absl::StripAsciiWhitespace(view);
    absl::ConsumeSuffix(&view, "kB");
    int64_t kib = 0;
    if (absl::SimpleAtoi(absl::StripAsciiWhitespace(view), &kib)) return kib;
  }
  return absl::NotFoundError(absl::StrCat("no VmRSS for pid ", pid));
}

struct RssSample {
  double seconds;
  int64_t completed;
  int64_t kib;
};

struct MonitorResult {
  // Reload.
  bool reload_requested = false;
  bool reload_sent = false;
  int64_t reload_at_request = 0;
  double reload_at_seconds = 0;
  int hook_exit = -1;
  std::string reload_error;
  // Memory.
  int rss_pid = 0;
  std::vector<RssSample> samples;
  int64_t warmup_kib = 0;
  int64_t warmup_at_request = 0;
  double warmup_at_seconds = 0;
  int64_t end_kib = 0;
  std::string rss_error;
};

class Monitor {
 public:
  Monitor(Shared* shared, MonitorResult* result, absl::Time start)
      : shared_(shared), result_(result), start_(start) {}

  void Run() {
    const Config& config = shared_->config;
    const int reload_pid = absl::GetFlag(FLAGS_reload_pid);
    const int64_t reload_after = static_cast<int64_t>(
        absl::GetFlag(FLAGS_reload_at) * static_cast<double>(config.requests));
    const int64_t warmup_after =
        static_cast<int64_t>(absl::GetFlag(FLAGS_warmup_fraction) *
                             static_cast<double>(config.requests));
    const absl::Duration interval = absl::GetFlag(FLAGS_rss_interval);
    result_->reload_requested = reload_pid > 0;
    absl::Time next_sample = start_;
    while (true) {
      const bool done = shared_->done.load();
      const int64_t completed = shared_->completed.load();
      if (result_->reload_requested && !result_->reload_sent &&
          result_->reload_error.empty() && completed >= reload_after && !done) {
        Reload(reload_pid, completed);
      }
      if (result_->rss_pid > 0) {
        const absl::Time now = absl::Now();
        const bool warmup_due =
            result_->warmup_at_request == 0 && completed >= warmup_after;
        if (done || warmup_due || now >= next_sample) {
          const absl::StatusOr<RssSample> sample = Sample(completed);
          if (sample.ok()) {
            if (warmup_due) {
              result_->warmup_kib = sample->kib;
              result_->warmup_at_request = std::max<int64_t>(completed, 1);
              result_->warmup_at_seconds = sample->seconds;
            }
            if (done) result_->end_kib = sample->kib;
          }
          if (now >= next_sample) next_sample = now + interval;
        }
      }
      if (done) return;
      absl::SleepFor(absl::Milliseconds(20));
    }
  }

 private:
  void Reload(int pid, int64_t completed) {
    const std::string hook = absl::GetFlag(FLAGS_reload_hook);
    if (!hook.empty()) {
      const int status = std::system(hook.c_str());
      result_->hook_exit =
          status == -1 ? -1 : (WIFEXITED(status) ? WEXITSTATUS(status) : 128);
      if (result_->hook_exit != 0) {
        result_->reload_error = absl::StrCat("--reload_hook exited with ",
                                             result_->hook_exit, "; no SIGHUP");
        return;
      }
    }
    shared_->reload_sent.store(true);
    if (kill(pid, SIGHUP) != 0) {
      result_->reload_error =
          absl::StrCat("kill(", pid, ", SIGHUP): ", std::strerror(errno));
      return;
    }
    result_->reload_sent = true;
    result_->reload_at_request = completed;
    result_->reload_at_seconds = absl::ToDoubleSeconds(absl::Now() - start_);
  }

  absl::StatusOr<RssSample> Sample(int64_t completed) {
    absl::StatusOr<int64_t> kib = ResidentKib(result_->rss_pid);
    if (!kib.ok()) {
      if (result_->rss_error.empty()) {
        result_->rss_error = std::string(kib.status().message());
      }
      return kib.status();
    }
    RssSample sample{absl::ToDoubleSeconds(absl::Now() - start_), completed,
                     *kib};
    result_->samples.push_back(sample);
    return sample;
  }

  Shared* shared_;
  MonitorResult* result_;
  absl::Time start_;
};

// ---------------------------------------------------------------------------
// The summary.

std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", c);
        } else {
          out.push_back(c);
        }
    }
  }
  out += "\"";
  return out;
}

std::string Fixed(double value, int digits) {
  return absl::StrFormat("%.*f", digits, value);
}

uint32_t Percentile(const std::vector<uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t at = std::min(
      sorted.size() - 1,
      static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5));
  return sorted[at];
}

absl::Status WriteSampleTokens(const std::string& path,
                               const std::vector<WorkerResult>& results,
                               absl::Time start) {
  // Per account: the earliest first token and the latest last token.
  std::vector<std::pair<const MintedToken*, const MintedToken*>> picked;
  std::vector<std::string> accounts;
  for (const WorkerResult& result : results) {
    for (const MintedToken& token : result.first_tokens) {
      auto it = std::find(accounts.begin(), accounts.end(), token.account_sid);
      if (it == accounts.end()) {
        accounts.push_back(token.account_sid);
        picked.push_back({&token, &token});
        continue;
      }
      auto& pair = picked[it - accounts.begin()];
      if (token.minted_at < pair.first->minted_at) pair.first = &token;
    }
  }
  for (const WorkerResult& result : results) {
    for (const MintedToken& token : result.last_tokens) {
      auto it = std::find(accounts.begin(), accounts.end(), token.account_sid);
      if (it == accounts.end()) continue;
      auto& pair = picked[it - accounts.begin()];
      if (token.minted_at > pair.second->minted_at) pair.second = &token;
    }
  }
  std::ofstream out(path, std::ios::trunc);
  if (!out) {
    return absl::UnavailableError(absl::StrCat("cannot write ", path));
  }
  for (const auto& [first, last] : picked) {
    for (const auto& [which, token] :
         {std::make_pair("first", first), std::make_pair("last", last)}) {
      out << "{\"account\":" << JsonString(token->account_sid)
          << ",\"which\":\"" << which << "\",\"before_reload\":"
          << (token->before_reload ? "true" : "false") << ",\"at_seconds\":"
          << Fixed(absl::ToDoubleSeconds(token->minted_at - start), 3)
          << ",\"token\":" << JsonString(token->token) << "}\n";
    }
  }
  out.close();
  if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

absl::StatusOr<Config> ConfigFromFlags() {
  Config config;
  config.server = absl::GetFlag(FLAGS_server);
  config.threads = absl::GetFlag(FLAGS_threads);
  config.requests = absl::GetFlag(FLAGS_requests);
  config.seed = absl::GetFlag(FLAGS_seed);
  config.accounts = absl::GetFlag(FLAGS_accounts);
  config.verify_only_accounts = absl::GetFlag(FLAGS_verify_only_accounts);
  config.access_account = absl::GetFlag(FLAGS_access_account);
  config.default_ttl_seconds = absl::GetFlag(FLAGS_default_ttl_seconds);
  config.max_ttl_seconds = absl::GetFlag(FLAGS_max_ttl_seconds);
  config.max_scopes = absl::GetFlag(FLAGS_max_scopes);
  config.deadline = absl::GetFlag(FLAGS_deadline);
  config.max_failure_examples = absl::GetFlag(FLAGS_max_failure_examples);
  const std::string profile = absl::GetFlag(FLAGS_default_profile);
  if (profile == "python") {
    config.default_profile = v1::PROFILE_TWILIO_PYTHON;
  } else if (profile == "node") {
    config.default_profile = v1::PROFILE_TWILIO_NODE;
  } else {
    return absl::InvalidArgumentError("--default_profile: python or node");
  }
  if (config.server.empty()) {
    return absl::InvalidArgumentError("--server: required");
  }
  if (config.accounts.empty()) {
    return absl::InvalidArgumentError("--accounts: at least one account SID");
  }
  if (config.threads < 1 || config.threads > 1024) {
    return absl::InvalidArgumentError("--threads: 1 to 1024");
  }
  if (config.requests < 1) {
    return absl::InvalidArgumentError("--requests: at least 1");
  }
  if (config.max_scopes < 1) {
    return absl::InvalidArgumentError("--max_scopes: at least 1");
  }
  const double reload_at = absl::GetFlag(FLAGS_reload_at);
  if (absl::GetFlag(FLAGS_reload_pid) > 0 &&
      (reload_at <= 0 || reload_at >= 1)) {
    return absl::InvalidArgumentError("--reload_at: between 0 and 1");
  }
  const double warmup = absl::GetFlag(FLAGS_warmup_fraction);
  if (warmup <= 0 || warmup >= 1) {
    return absl::InvalidArgumentError("--warmup_fraction: between 0 and 1");
  }
  if (absl::GetFlag(FLAGS_rss_interval) <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--rss_interval: positive");
  }
  return config;
}

int Run() {
  absl::StatusOr<Config> config_or = ConfigFromFlags();
  if (!config_or.ok()) {
    std::cerr << "soak: " << config_or.status().message() << "\n";
    return 2;
  }
  const Config& config = *config_or;
  Shared shared(config);

  std::vector<WorkerResult> results(config.threads);
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < config.threads; ++i) {
    workers.push_back(std::make_unique<Worker>(&shared, &results[i]));
    if (absl::Status status = workers.back()->Connect(); !status.ok()) {
      std::cerr << "soak: " << status.message() << "\n";
      return 2;
    }
  }

  MonitorResult monitor_result;
  monitor_result.rss_pid = absl::GetFlag(FLAGS_server_pid) > 0
                               ? absl::GetFlag(FLAGS_server_pid)
                               : absl::GetFlag(FLAGS_reload_pid);
  const absl::Time start = absl::Now();
  Monitor monitor(&shared, &monitor_result, start);
  std::thread monitor_thread([&monitor] { monitor.Run(); });
  std::vector<std::thread> threads;
  for (auto& worker : workers) {
    threads.emplace_back([w = worker.get()] { w->Run(); });
  }
  for (std::thread& thread : threads) thread.join();
  const absl::Duration elapsed = absl::Now() - start;
  shared.done.store(true);
  monitor_thread.join();

  // Totals.
  std::vector<Counters> totals(kKindCount);
  std::vector<uint32_t> latencies;
  for (const WorkerResult& result : results) {
    for (int k = 0; k < kKindCount; ++k) {
      totals[k].sent += result.counters[k].sent;
      totals[k].as_expected += result.counters[k].as_expected;
      totals[k].unexpected += result.counters[k].unexpected;
      totals[k].after_reload += result.counters[k].after_reload;
      totals[k].as_expected_after_reload +=
          result.counters[k].as_expected_after_reload;
    }
    latencies.insert(latencies.end(), result.latencies_us.begin(),
                     result.latencies_us.end());
  }
  std::sort(latencies.begin(), latencies.end());
  Counters valid, refused;
  int64_t sent = 0;
  for (int k = 0; k < kKindCount; ++k) {
    Counters& group = kKinds[k].expect == Expect::kOk ? valid : refused;
    group.sent += totals[k].sent;
    group.as_expected += totals[k].as_expected;
    group.unexpected += totals[k].unexpected;
    group.after_reload += totals[k].after_reload;
    group.as_expected_after_reload += totals[k].as_expected_after_reload;
    sent += totals[k].sent;
  }
  const int64_t unexpected = valid.unexpected + refused.unexpected;

  std::string sample_error;
  const std::string sample_path = absl::GetFlag(FLAGS_sample_tokens_file);
  if (!sample_path.empty()) {
    if (absl::Status status = WriteSampleTokens(sample_path, results, start);
        !status.ok()) {
      sample_error = std::string(status.message());
    }
  }

  const MonitorResult& m = monitor_result;
  const bool reload_ok =
      !m.reload_requested || (m.reload_sent && m.reload_error.empty());
  const bool ok = unexpected == 0 && sent == config.requests && reload_ok &&
                  sample_error.empty();

  // The JSON summary.
  const double seconds = absl::ToDoubleSeconds(elapsed);
  std::string json = "{\n";
  absl::StrAppend(&json, "  \"server\": ", JsonString(config.server), ",\n");
  absl::StrAppend(&json, "  \"threads\": ", config.threads, ",\n");
  absl::StrAppend(&json, "  \"seed\": ", config.seed, ",\n");
  absl::StrAppend(&json, "  \"requests\": ", sent, ",\n");
  absl::StrAppend(&json, "  \"duration_s\": ", Fixed(seconds, 3), ",\n");
  absl::StrAppend(
      &json, "  \"throughput_rps\": ",
      Fixed(seconds > 0 ? static_cast<double>(sent) / seconds : 0, 1), ",\n");
  absl::StrAppend(
      &json, "  \"latency_us\": {\"p50\": ", Percentile(latencies, 0.50),
      ", \"p90\": ", Percentile(latencies, 0.90),
      ", \"p99\": ", Percentile(latencies, 0.99),
      ", \"p999\": ", Percentile(latencies, 0.999),
      ", \"max\": ", latencies.empty() ? 0 : latencies.back(), "},\n");
  absl::StrAppend(
      &json, "  \"valid\": {\"sent\": ", valid.sent,
      ", \"ok\": ", valid.as_expected, ", \"failed\": ", valid.unexpected,
      ", \"sent_after_reload\": ", valid.after_reload,
      ", \"ok_after_reload\": ", valid.as_expected_after_reload, "},\n");
  absl::StrAppend(&json, "  \"invalid\": {\"sent\": ", refused.sent,
                  ", \"as_expected\": ", refused.as_expected,
                  ", \"unexpected\": ", refused.unexpected,
                  ", \"sent_after_reload\": ", refused.after_reload, "},\n");
  absl::StrAppend(&json, "  \"failures\": ", unexpected, ",\n");
  json += "  \"categories\": {\n";
  for (int k = 0; k < kKindCount; ++k) {
    absl::StrAppend(&json, "    ", JsonString(kKinds[k].name),
                    ": {\"expect\": ", JsonString(ExpectName(kKinds[k].expect)),
                    ", \"sent\": ", totals[k].sent,
                    ", \"as_expected\": ", totals[k].as_expected,
                    ", \"unexpected\": ", totals[k].unexpected,
                    ", \"after_reload\": ", totals[k].after_reload, "}",
                    k + 1 < kKindCount ? ",\n" : "\n");
  }
  json += "  },\n";
  absl::StrAppend(&json, "  \"reload\": {\"requested\": ",
                  m.reload_requested ? "true" : "false",
                  ", \"sent\": ", m.reload_sent ? "true" : "false",
                  ", \"at_request\": ", m.reload_at_request,
                  ", \"at_s\": ", Fixed(m.reload_at_seconds, 3),
                  ", \"hook_exit\": ", m.hook_exit,
                  ", \"error\": ", JsonString(m.reload_error), "},\n");
  int64_t max_kib = 0, max_after_warmup_kib = 0, half_kib = 0;
  std::vector<std::string> series;
  for (const RssSample& sample : m.samples) {
    max_kib = std::max(max_kib, sample.kib);
    if (m.warmup_at_request > 0 && sample.completed >= m.warmup_at_request) {
      max_after_warmup_kib = std::max(max_after_warmup_kib, sample.kib);
    }
    if (half_kib == 0 && sample.completed >= config.requests / 2) {
      half_kib = sample.kib;
    }
    series.push_back(absl::StrCat("[", Fixed(sample.seconds, 1), ",",
                                  sample.completed, ",", sample.kib, "]"));
  }
  absl::StrAppend(
      &json, "  \"rss\": {\"pid\": ", m.rss_pid,
      ", \"samples\": ", m.samples.size(), ", \"warmup_kib\": ", m.warmup_kib,
      ", \"warmup_at_request\": ", m.warmup_at_request,
      ", \"end_kib\": ", m.end_kib, ", \"max_kib\": ", max_kib,
      ", \"max_after_warmup_kib\": ", max_after_warmup_kib,
      ", \"growth_after_warmup_kib\": ",
      m.warmup_kib > 0 ? m.end_kib - m.warmup_kib : 0,
      ", \"half_kib\": ", half_kib,
      ", \"growth_second_half_kib\": ", half_kib > 0 ? m.end_kib - half_kib : 0,
      ", \"end_over_warmup\": ",
      m.warmup_kib > 0 ? Fixed(static_cast<double>(m.end_kib) /
                                   static_cast<double>(m.warmup_kib),
                               4)
                       : "null",
      ", \"error\": ", JsonString(m.rss_error),
      ",\n          \"series_s_requests_kib\": [", absl::StrJoin(series, ","),
      "]},\n");
  json += "  \"failure_examples\": [";
  {
    absl::MutexLock lock(&shared.failures_mutex);
    for (size_t i = 0; i < shared.failure_examples.size(); ++i) {
      const FailureExample& f = shared.failure_examples[i];
      absl::StrAppend(&json, i == 0 ? "\n" : ",\n", "    {\"index\": ", f.index,
                      ", \"kind\": ", JsonString(f.kind),
                      ", \"expected\": ", JsonString(f.expected),
                      ", \"got\": ", JsonString(f.got),
                      ", \"after_reload\": ", f.after_reload ? "true" : "false",
                      "}");
    }
    json += shared.failure_examples.empty() ? "],\n" : "\n  ],\n";
  }
  if (!sample_error.empty()) {
    absl::StrAppend(
        &json, "  \"sample_tokens_error\": ", JsonString(sample_error), ",\n");
  }
  absl::StrAppend(&json, "  \"ok\": ", ok ? "true" : "false", "\n}\n");
  std::cout << json << std::flush;
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace captoken::soak

int main(int argc, char** argv) {
  captoken::process::ParseCommandLineOrHelp(argc, argv, captoken::soak::kUsage);
  return captoken::soak::Run();
}
