// The minter in process: what the server does for a call, or for each item
// of a batch, between parsing the request and serializing the response,
// without gRPC, the kernel or the audit line (bench/run.py turns the output
// into docs/performance.md's figures).
//
//   BM_MintCapability        the typical request, one call at a time
//   BM_BatchMint/100         100 typical requests in one BatchMint, per token
//   BM_MintAtScale/N         the typical request for accounts drawn at
//                            random from N, as a mix of tenants would ask
//                            (the scale measurement over gRPC does the
//                            same): what a large table costs a call; the
//                            counts are --scale_accounts=1,1000,... (default
//                            1, 1,000, 100,000 and 1,000,000)
//
// Every figure is a rate per core; the scale rows are read against the
// one-account row of the same run.

#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "bench/typical_request.h"
#include "benchmark/benchmark.h"
#include "captoken/v1/capability.pb.h"
#include "captoken/v1/token_service.pb.h"
#include "service/authz/caller_identity.h"
#include "service/authz/caller_policy.h"
#include "service/config/account_keys.h"
#include "service/mint/token_minter.h"
#include "service/token/clock.h"
#include "service/token/crypto.h"

namespace captoken::mint {
namespace {

using ::captoken::bench::TypicalRequest;

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

const token::FixedClock& Clock() {
  static const token::FixedClock* const clock = new token::FixedClock(kNow);
  return *clock;
}

// The i-th benchmark account: "AC" and 32 hex digits.
std::string AccountSid(uint64_t i) { return absl::StrFormat("AC%032x", i); }

// A minter with `count` accounts, each with an auth token of its own, held
// as an account directory's are (AccountKeys::AccountMap, the table the
// scale measurement's server reads), and open access (no caller policies).
std::unique_ptr<TokenMinter> NewMinter(uint64_t count) {
  auto accounts = std::make_shared<config::AccountKeys::AccountMap>();
  auto directory = std::make_shared<const std::string>("bench");
  for (uint64_t i = 0; i < count; ++i) {
    absl::StatusOr<token::HmacSha256Key> key = token::HmacSha256Key::Create(
        absl::StrFormat("benchmark-auth-token-%020d", i));
    if (!key.ok()) return nullptr;
    config::AccountKeys::Account account{AccountSid(i), *std::move(key), false};
    account.directory = directory;
    accounts->Put(std::make_shared<const config::AccountKeys::Account>(
        std::move(account)));
  }
  absl::StatusOr<std::shared_ptr<const config::AccountKeys>> keys =
      config::AccountKeys::Load({}, {{"bench", std::move(accounts)}});
  absl::StatusOr<std::shared_ptr<const authz::CallerPolicies>> open =
      authz::CallerPolicies::Compile({}, absl::Hours(24));
  if (!keys.ok() || !open.ok()) return nullptr;
  TokenMinter::Options options;
  options.default_profile = token::Profile::kTwilioNode;
  options.clock = &Clock();
  return std::make_unique<TokenMinter>(
      options, std::make_shared<const ServingState>(
                   ServingState{*std::move(keys), *std::move(open)}));
}

// Mints `request` as one call would (its audit record included); false,
// with the benchmark marked failed, if it was refused.
bool MintOnce(const TokenMinter& minter, const v1::CapabilityRequest& request,
              benchmark::State& state) {
  AuditRecord audit;
  absl::StatusOr<v1::TokenResponse> response =
      minter.MintCapabilityToken(request, authz::CallerIdentity(), &audit);
  if (!response.ok()) {
    state.SkipWithError("mint failed");
    return false;
  }
  benchmark::DoNotOptimize(response->token().data());
  return true;
}

void BM_MintCapability(benchmark::State& state) {
  const std::unique_ptr<TokenMinter> minter = NewMinter(1);
  const v1::CapabilityRequest request = TypicalRequest(AccountSid(0));
  for (auto _ : state) {
    if (!MintOnce(*minter, request, state)) break;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MintCapability);

void BM_BatchMint(benchmark::State& state) {
  const int size = static_cast<int>(state.range(0));
  const std::unique_ptr<TokenMinter> minter = NewMinter(1);
  v1::BatchMintRequest request;
  const v1::CapabilityRequest item = TypicalRequest(AccountSid(0));
  for (int i = 0; i < size; ++i) {
    *request.add_requests()->mutable_capability() = item;
  }
  const authz::CallerIdentity caller;
  v1::BatchMintResponse response;
  for (auto _ : state) {
    BatchAudit audit;
    if (!minter->BatchMint(request, caller, &response, &audit).ok() ||
        response.results(size - 1).code() != 0) {
      state.SkipWithError("batch failed");
      break;
    }
    benchmark::DoNotOptimize(response.results(0).token().token().data());
  }
  state.SetItemsProcessed(state.iterations() * size);
}
BENCHMARK(BM_BatchMint)->Arg(100);

// The minter with `count` accounts, built once: the framework runs a
// benchmark several times while it settles the number of iterations, and a
// million keys take a while to prepare.
const TokenMinter* MinterWith(uint64_t count) {
  static auto* const built =
      new absl::flat_hash_map<uint64_t, std::unique_ptr<TokenMinter>>();
  std::unique_ptr<TokenMinter>& minter = (*built)[count];
  if (minter == nullptr) minter = NewMinter(count);
  return minter.get();
}

void BM_MintAtScale(benchmark::State& state) {
  const uint64_t count = static_cast<uint64_t>(state.range(0));
  const TokenMinter* minter = MinterWith(count);
  if (minter == nullptr) {
    state.SkipWithError("could not build the accounts");
    return;
  }
  // 65,536 draws from the accounts, in a fixed random order. One request
  // is reused with each draw's SID set into it, so that every count does
  // the same work on a request as hot as one just parsed, and only the
  // accounts' table and records differ.
  std::mt19937_64 random(19);
  std::vector<std::string> sids;
  sids.reserve(65536);
  for (int i = 0; i < 65536; ++i) sids.push_back(AccountSid(random() % count));
  v1::CapabilityRequest request = TypicalRequest(sids[0]);
  size_t next = 0;
  for (auto _ : state) {
    request.set_account_sid(sids[next]);
    if (!MintOnce(*minter, request, state)) break;
    if (++next == sids.size()) next = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace
}  // namespace captoken::mint

// --scale_accounts=1,1000,...: the counts BM_MintAtScale runs at (the
// scale measurement passes its own); the rest goes to Google Benchmark.
int main(int argc, char** argv) {
  std::vector<int64_t> counts = {1, 1000, 100000, 1000000};
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (absl::ConsumePrefix(&arg, "--scale_accounts=")) {
      counts.clear();
      for (absl::string_view part : absl::StrSplit(arg, ',')) {
        int64_t count = 0;
        if (!absl::SimpleAtoi(part, &count) || count < 1) {
          std::fprintf(stderr, "--scale_accounts: not a count: %s\n",
                       std::string(part).c_str());
          return 2;
        }
        counts.push_back(count);
      }
      continue;
    }
    args.push_back(argv[i]);
  }
  for (int64_t count : counts) {
    benchmark::RegisterBenchmark("BM_MintAtScale",
                                 captoken::mint::BM_MintAtScale)
        ->Arg(count)
        ->Unit(benchmark::kMicrosecond);
  }
  int kept = static_cast<int>(args.size());
  benchmark::Initialize(&kept, args.data());
  if (benchmark::ReportUnrecognizedArguments(kept, args.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
