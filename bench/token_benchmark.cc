// Signing and verifying capability tokens, against the raw HMAC-SHA256 of
// the same signing input measured in the same run (the floor: a token can
// never be cheaper than its MAC). bench/run.py turns the output into the
// ratios in docs/performance.md.

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "service/token/capability_signer.h"
#include "service/token/capability_verifier.h"
#include "service/token/clock.h"
#include "service/token/crypto.h"
#include "service/token/internal/base64url.h"
#include "service/token/internal/scope_claim.h"
#include "service/token/json_value.h"
#include "service/token/jwt.h"

namespace captoken::token {
namespace {

constexpr char kAccountSid[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kAuthToken[] = "f0e1d2c3b4a5968778695a4b3c2d1e0f";
constexpr char kAppSid[] = "AP89abcdef0123456789abcdef01234567";
const absl::Time kNow = absl::FromUnixSeconds(1700000000);

const HmacSha256Key& Key() {
  static const HmacSha256Key* const key =
      new HmacSha256Key(*HmacSha256Key::Create(kAuthToken));
  return *key;
}

// A typical browser-phone token: receive calls, place calls with two
// parameters.
CapabilitySpec TypicalSpec(Profile profile) {
  CapabilitySpec spec;
  spec.account_sid = kAccountSid;
  spec.profile = profile;
  spec.scopes.push_back(ClientIncomingScope{"alice"});
  spec.scopes.push_back(ClientOutgoingScope{
      kAppSid, {{"To", "+15551234567"}, {"CallerId", "client:alice"}}, ""});
  return spec;
}

// The signing input (header.payload) of the token `spec` makes.
std::string SigningInput(const CapabilitySpec& spec) {
  const std::string token =
      SignCapabilityToken(spec, Key(), kNow, SigningLimits())->token;
  return token.substr(0, token.rfind('.'));
}

Profile ProfileArg(const benchmark::State& state) {
  return state.range(0) == 0 ? Profile::kTwilioPython : Profile::kTwilioNode;
}

void SetProfileLabel(benchmark::State& state) {
  state.SetLabel(std::string(ProfileName(ProfileArg(state))));
}

// The floor: HMAC-SHA256 of the same signing input with the prepared key.
void BM_RawHmacSha256(benchmark::State& state) {
  const std::string input = SigningInput(TypicalSpec(ProfileArg(state)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(Key().Compute(input));
  }
  state.SetItemsProcessed(state.iterations());
  SetProfileLabel(state);
}
BENCHMARK(BM_RawHmacSha256)->Arg(0)->Arg(1);

// For context: the crypto library's one-shot HMAC(), which sets up the key
// on every call.
void BM_OneShotLibraryHmac(benchmark::State& state) {
  const std::string input = SigningInput(TypicalSpec(ProfileArg(state)));
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  for (auto _ : state) {
    HMAC(EVP_sha256(), kAuthToken, sizeof(kAuthToken) - 1,
         reinterpret_cast<const unsigned char*>(input.data()), input.size(),
         mac, &length);
    benchmark::DoNotOptimize(mac);
  }
  state.SetItemsProcessed(state.iterations());
  SetProfileLabel(state);
}
BENCHMARK(BM_OneShotLibraryHmac)->Arg(0)->Arg(1);

void BM_SignCapability(benchmark::State& state) {
  const CapabilitySpec spec = TypicalSpec(ProfileArg(state));
  const SigningLimits limits;
  for (auto _ : state) {
    benchmark::DoNotOptimize(SignCapabilityToken(spec, Key(), kNow, limits));
  }
  state.SetItemsProcessed(state.iterations());
  SetProfileLabel(state);
}
BENCHMARK(BM_SignCapability)->Arg(0)->Arg(1);

void BM_VerifyCapability(benchmark::State& state) {
  const std::string token = SignCapabilityToken(TypicalSpec(ProfileArg(state)),
                                                Key(), kNow, SigningLimits())
                                ->token;
  const FixedClock clock(kNow);
  const CapabilityVerifier verifier =
      *CapabilityVerifier::Create({.jwt = {.clock = &clock}});
  for (auto _ : state) {
    benchmark::DoNotOptimize(verifier.Verify(token, Key()));
  }
  state.SetItemsProcessed(state.iterations());
  SetProfileLabel(state);
}
BENCHMARK(BM_VerifyCapability)->Arg(0)->Arg(1);

// Each scope kind alone, in both profiles: Args({kind, profile}).
enum Kind { kIncoming = 0, kOutgoing = 1, kEventStream = 2 };

const char* KindName(int64_t kind) {
  switch (kind) {
    case kIncoming:
      return "client_incoming";
    case kOutgoing:
      return "client_outgoing";
    default:
      return "event_stream";
  }
}

CapabilitySpec KindSpec(int64_t kind, Profile profile) {
  CapabilitySpec spec;
  spec.account_sid = kAccountSid;
  spec.profile = profile;
  switch (kind) {
    case kIncoming:
      spec.scopes.push_back(ClientIncomingScope{"alice"});
      break;
    case kOutgoing:
      spec.scopes.push_back(ClientOutgoingScope{
          kAppSid, {{"To", "+15551234567"}, {"CallerId", "client:alice"}}, ""});
      break;
    default:
      spec.scopes.push_back(EventStreamScope{{{"CallSid", "CA1234"}}});
      break;
  }
  return spec;
}

Profile KindProfileArg(const benchmark::State& state) {
  return state.range(1) == 0 ? Profile::kTwilioPython : Profile::kTwilioNode;
}

void SetKindLabel(benchmark::State& state) {
  state.SetLabel(absl::StrCat(KindName(state.range(0)), " ",
                              ProfileName(KindProfileArg(state))));
}

void KindArgs(benchmark::internal::Benchmark* b) {
  for (int kind : {kIncoming, kOutgoing, kEventStream}) {
    for (int profile : {0, 1}) b->Args({kind, profile});
  }
}

void BM_RawHmacKind(benchmark::State& state) {
  const std::string input =
      SigningInput(KindSpec(state.range(0), KindProfileArg(state)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(Key().Compute(input));
  }
  state.SetItemsProcessed(state.iterations());
  SetKindLabel(state);
}
BENCHMARK(BM_RawHmacKind)->Apply(KindArgs);

void BM_SignKind(benchmark::State& state) {
  const CapabilitySpec spec = KindSpec(state.range(0), KindProfileArg(state));
  const SigningLimits limits;
  for (auto _ : state) {
    benchmark::DoNotOptimize(SignCapabilityToken(spec, Key(), kNow, limits));
  }
  state.SetItemsProcessed(state.iterations());
  SetKindLabel(state);
}
BENCHMARK(BM_SignKind)->Apply(KindArgs);

void BM_VerifyKind(benchmark::State& state) {
  const std::string token =
      SignCapabilityToken(KindSpec(state.range(0), KindProfileArg(state)),
                          Key(), kNow, SigningLimits())
          ->token;
  const FixedClock clock(kNow);
  const CapabilityVerifier verifier =
      *CapabilityVerifier::Create({.jwt = {.clock = &clock}});
  for (auto _ : state) {
    benchmark::DoNotOptimize(verifier.Verify(token, Key()));
  }
  state.SetItemsProcessed(state.iterations());
  SetKindLabel(state);
}
BENCHMARK(BM_VerifyKind)->Apply(KindArgs);

// How cost grows with parameters: one outgoing scope with N parameters
// (node profile).
void BM_SignWithParams(benchmark::State& state) {
  CapabilitySpec spec;
  spec.account_sid = kAccountSid;
  spec.profile = Profile::kTwilioNode;
  ClientOutgoingScope outgoing{kAppSid, {}, ""};
  for (int i = 0; i < state.range(0); ++i) {
    outgoing.params.push_back(
        {absl::StrCat("key", i), absl::StrCat("value with spaces ", i)});
  }
  spec.scopes.push_back(outgoing);
  const SigningLimits limits;
  for (auto _ : state) {
    benchmark::DoNotOptimize(SignCapabilityToken(spec, Key(), kNow, limits));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SignWithParams)->Arg(1)->Arg(2)->Arg(4)->Arg(8)->Arg(16)->Arg(32);

// How cost grows with scopes: N incoming scopes (node profile keeps each).
void BM_SignWithScopes(benchmark::State& state) {
  CapabilitySpec spec;
  spec.account_sid = kAccountSid;
  spec.profile = Profile::kTwilioNode;
  for (int i = 0; i < state.range(0); ++i) {
    spec.scopes.push_back(ClientIncomingScope{absl::StrCat("client", i)});
  }
  const SigningLimits limits;
  for (auto _ : state) {
    benchmark::DoNotOptimize(SignCapabilityToken(spec, Key(), kNow, limits));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SignWithScopes)->Arg(1)->Arg(2)->Arg(4)->Arg(8)->Arg(16);

// The stages of verifying the typical node-profile token, each alone, to
// show where verification spends its time. Each stage does what
// CapabilityVerifier::Verify does for this token: the payload is decoded
// into a reused buffer, and its claims are read in place by
// ReadFlatJsonObject (parsing into a JsonValue is only the fallback for
// payloads of other shapes).
std::string TypicalNodeToken() {
  return SignCapabilityToken(TypicalSpec(Profile::kTwilioNode), Key(), kNow,
                             SigningLimits())
      ->token;
}

std::string TypicalNodePayload() {
  return *internal::StrictBase64UrlDecode(
      SplitCompactJwt(TypicalNodeToken(), 65536)->payload);
}

void BM_VerifyStage1_SplitAndMac(benchmark::State& state) {
  const std::string token = TypicalNodeToken();
  for (auto _ : state) {
    absl::StatusOr<JwtSegments> segments = SplitCompactJwt(token, 65536);
    benchmark::DoNotOptimize(VerifyHs256Mac(*segments, Key()));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyStage1_SplitAndMac);

void BM_VerifyStage2_DecodePayload(benchmark::State& state) {
  const std::string token = TypicalNodeToken();
  const JwtSegments segments = *SplitCompactJwt(token, 65536);
  std::string payload;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        internal::StrictBase64UrlDecodeInto(segments.payload, &payload));
    benchmark::DoNotOptimize(payload.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyStage2_DecodePayload);

void BM_VerifyStage3_ParseJson(benchmark::State& state) {
  const std::string payload = TypicalNodePayload();
  JsonMember members[5];
  for (auto _ : state) {
    benchmark::DoNotOptimize(ReadFlatJsonObject(payload, members));
    benchmark::DoNotOptimize(members);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyStage3_ParseJson);

// For context: the parser that reads payloads of any other shape.
void BM_VerifyFallback_ParseJson(benchmark::State& state) {
  const std::string payload = TypicalNodePayload();
  for (auto _ : state) {
    benchmark::DoNotOptimize(ParseJson(payload));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyFallback_ParseJson);

void BM_VerifyStage4_ParseScopes(benchmark::State& state) {
  std::string scope;
  (void)internal::AppendScopeClaim(
      Profile::kTwilioNode, TypicalSpec(Profile::kTwilioNode).scopes, &scope);
  for (auto _ : state) {
    benchmark::DoNotOptimize(internal::ParseScopeClaim(scope));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyStage4_ParseScopes);

}  // namespace
}  // namespace captoken::token

int main(int argc, char** argv) {
  using captoken::token::Profile;
  // The typical tokens themselves, in the JSON output's context, so that
  // bench/run.py can check that the peers (twilio-node, PyJWT) produce the
  // same bytes.
  for (Profile profile : {Profile::kTwilioPython, Profile::kTwilioNode}) {
    benchmark::AddCustomContext(
        absl::StrCat("typical_token_", captoken::token::ProfileName(profile)),
        captoken::token::SignCapabilityToken(
            captoken::token::TypicalSpec(profile), captoken::token::Key(),
            captoken::token::kNow, captoken::token::SigningLimits())
            ->token);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
