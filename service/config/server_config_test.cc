// Tests for server_config.h: a config file parses strictly, every problem a
// config can have is refused with a message naming the field, and every
// default is applied. Beyond loopback a config needs a transport and caller
// policies, and policies need a way to identify callers.

#include "service/config/server_config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "captoken/v1/config.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "service/token/capability_scope.h"
#include "service/token/capability_spec.h"
#include "service/token/jwt_verifier.h"
#include "tests/testing/status_matchers.h"

namespace captoken::config {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSid1[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kSid2[] = "ACfedcba9876543210fedcba9876543210";

std::string TempPath(absl::string_view name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return absl::StrCat(dir != nullptr ? dir : "/tmp", "/server_config_test_",
                      name);
}

std::string WriteFile(absl::string_view name, absl::string_view content) {
  const std::string path = TempPath(name);
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(content.data(), static_cast<std::streamsize>(content.size()));
  file.close();
  EXPECT_TRUE(file.good()) << path;
  return path;
}

// A config with one account and nothing else, to which tests add.
v1::ServerConfig MinimalConfig() {
  v1::ServerConfig config;
  v1::Account* account = config.add_accounts();
  account->set_account_sid(kSid1);
  account->mutable_auth_token()->set_env("TWILIO_AUTH_TOKEN");
  return config;
}

absl::StatusOr<ServerSettings> SettingsWith(const std::string& extra_text) {
  v1::ServerConfig config = MinimalConfig();
  EXPECT_TRUE(
      google::protobuf::TextFormat::MergeFromString(extra_text, &config))
      << extra_text;
  return ServerSettingsFromConfig(config);
}

// ---- ReadServerConfigFile --------------------------------------------------

constexpr char kFullConfig[] = R"pb(
  # Every field set.
  listen_address: "0.0.0.0:8443"
  default_profile: PROFILE_TWILIO_NODE
  max_ttl { seconds: 7200 }
  default_ttl { seconds: 600 }
  accounts {
    account_sid: "AC0123456789abcdef0123456789abcdef"
    auth_token { file: "/run/secrets/twilio/auth-token" }
  }
  accounts {
    account_sid: "ACfedcba9876543210fedcba9876543210"
    auth_token { env: "OLD_AUTH_TOKEN" }
    secondary_auth_token { file: "/run/secrets/twilio/older-auth-token" }
    verify_only: true
  }
  limits {
    max_request_bytes: 2048
    max_scopes_per_request: 4
    max_params_per_scope: 5
    max_text_bytes: 100
    max_token_bytes: 4096
    max_concurrent_streams: 10
    max_server_memory_bytes: 33554432
    silent_client_timeout { seconds: 30 }
  }
  transport { mesh_sidecar { trust_forwarded_client_cert: true } }
  callers {
    identity: "spiffe://example.org/ns/web/sa/frontend"
    accounts: "AC0123456789abcdef0123456789abcdef"
    scope_kinds: SCOPE_KIND_CLIENT_INCOMING
    max_ttl { seconds: 600 }
  }
  secret_watch_interval { seconds: 30 }
)pb";

TEST(ReadServerConfigFile, ReadsAFullConfig) {
  const std::string path = WriteFile("full.textproto", kFullConfig);
  ASSERT_OK_AND_ASSIGN(v1::ServerConfig config, ReadServerConfigFile(path));
  EXPECT_EQ(config.listen_address(), "0.0.0.0:8443");
  EXPECT_EQ(config.default_profile(), v1::PROFILE_TWILIO_NODE);
  EXPECT_EQ(config.max_ttl().seconds(), 7200);
  EXPECT_EQ(config.default_ttl().seconds(), 600);
  ASSERT_EQ(config.accounts_size(), 2);
  EXPECT_EQ(config.accounts(0).account_sid(), kSid1);
  EXPECT_EQ(config.accounts(0).auth_token().file(),
            "/run/secrets/twilio/auth-token");
  EXPECT_FALSE(config.accounts(0).verify_only());
  EXPECT_EQ(config.accounts(1).account_sid(), kSid2);
  EXPECT_EQ(config.accounts(1).auth_token().env(), "OLD_AUTH_TOKEN");
  EXPECT_TRUE(config.accounts(1).verify_only());
  EXPECT_EQ(config.limits().max_request_bytes(), 2048u);
  EXPECT_EQ(config.limits().max_concurrent_streams(), 10u);
  EXPECT_TRUE(config.transport().has_mesh_sidecar());
  EXPECT_TRUE(config.transport().mesh_sidecar().trust_forwarded_client_cert());
  ASSERT_EQ(config.callers_size(), 1);
  EXPECT_EQ(config.callers(0).max_ttl().seconds(), 600);
  EXPECT_EQ(config.secret_watch_interval().seconds(), 30);

  // And the whole config is accepted, with each value applied.
  ASSERT_OK_AND_ASSIGN(ServerSettings settings,
                       ServerSettingsFromConfig(config));
  EXPECT_EQ(settings.listen_address, "0.0.0.0:8443");
  EXPECT_TRUE(settings.behind_mesh_sidecar);
  EXPECT_TRUE(settings.trust_forwarded_client_cert);
  EXPECT_FALSE(settings.tls.has_value());
  ASSERT_NE(settings.callers, nullptr);
  EXPECT_FALSE(settings.callers->open());
  ASSERT_NE(settings.callers->Match("spiffe://example.org/ns/web/sa/frontend"),
            nullptr);
  EXPECT_EQ(settings.secret_watch_interval, absl::Seconds(30));
  EXPECT_EQ(settings.default_profile, token::Profile::kTwilioNode);
  EXPECT_EQ(settings.signing_limits.max_ttl, absl::Seconds(7200));
  EXPECT_EQ(settings.signing_limits.default_ttl, absl::Seconds(600));
  ASSERT_EQ(settings.accounts.size(), 2u);
  EXPECT_EQ(settings.accounts[0].account_sid, kSid1);
  EXPECT_EQ(settings.accounts[0].auth_token.file(),
            "/run/secrets/twilio/auth-token");
  EXPECT_FALSE(settings.accounts[0].verify_only);
  EXPECT_EQ(settings.accounts[1].account_sid, kSid2);
  EXPECT_EQ(settings.accounts[1].auth_token.env(), "OLD_AUTH_TOKEN");
  EXPECT_TRUE(settings.accounts[1].verify_only);
  EXPECT_FALSE(settings.accounts[0].secondary_auth_token.has_value());
  ASSERT_TRUE(settings.accounts[1].secondary_auth_token.has_value());
  EXPECT_EQ(settings.accounts[1].secondary_auth_token->file(),
            "/run/secrets/twilio/older-auth-token");
  EXPECT_EQ(settings.max_request_bytes, 2048u);
  EXPECT_EQ(settings.signing_limits.max_scopes, 4u);
  EXPECT_EQ(settings.signing_limits.max_params_per_scope, 5u);
  EXPECT_EQ(settings.signing_limits.max_text_bytes, 100u);
  EXPECT_EQ(settings.signing_limits.max_token_bytes, 4096u);
  EXPECT_EQ(settings.max_concurrent_streams, 10);
  EXPECT_EQ(settings.max_server_memory_bytes, size_t{32} << 20);
  EXPECT_EQ(settings.silent_client_timeout, absl::Seconds(30));
}

TEST(ReadServerConfigFile, ReadsAnEmptyFileAsAnEmptyConfig) {
  ASSERT_OK_AND_ASSIGN(v1::ServerConfig config,
                       ReadServerConfigFile(WriteFile("empty.textproto", "")));
  EXPECT_EQ(config.accounts_size(), 0);
}

TEST(ReadServerConfigFile, UnknownFieldIsRefusedNamingLineAndColumn) {
  const std::string path = WriteFile("unknown.textproto",
                                     "listen_address: \"127.0.0.1:1\"\n"
                                     "  listen_adress: \"127.0.0.1:2\"\n");
  EXPECT_THAT(
      ReadServerConfigFile(path),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr(path),
                     ContainsRegex("line 2 column [0-9]+: unknown field name"),
                     Not(HasSubstr("listen_adress")))));
}

TEST(ReadServerConfigFile, UnknownNestedFieldIsRefused) {
  const std::string path =
      WriteFile("unknown_nested.textproto",
                "accounts {\n"
                "  account_sid: \"AC0123456789abcdef0123456789abcdef\"\n"
                "  auth_token { value: \"inline-secret\" }\n"
                "}\n");
  EXPECT_THAT(
      ReadServerConfigFile(path),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("line 3"), HasSubstr("unknown field name"),
                     Not(HasSubstr("inline-secret")))));
}

TEST(ReadServerConfigFile, BadSyntaxIsRefusedNamingLine) {
  const std::string path = WriteFile("syntax.textproto",
                                     "accounts {\n"
                                     "  account_sid: \"AC00\"\n");  // no '}'
  EXPECT_THAT(ReadServerConfigFile(path),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr(path), HasSubstr("line "),
                             HasSubstr(" column "))));
}

TEST(ReadServerConfigFile, BadValueIsRefused) {
  const std::string bad_enum = WriteFile(
      "bad_enum.textproto",
      "default_profile: PROFILE_TWILIO_RUBY listen_address: \"127.0.0.1:1\"\n");
  EXPECT_THAT(ReadServerConfigFile(bad_enum),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(ContainsRegex("line 1 column [0-9]+: invalid "
                                           "value for an enum field"),
                             Not(HasSubstr("PROFILE_TWILIO_RUBY")))));
  const std::string bad_number = WriteFile(
      "bad_number.textproto", "\n\nlimits { max_scopes_per_request: -1 }\n");
  EXPECT_THAT(
      ReadServerConfigFile(bad_number),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 3")));
}

TEST(ReadServerConfigFile, ErrorsNeverQuoteTheFile) {
  // An operator pastes a secret where a field name, a value or nothing at
  // all belongs. The error (printed at start-up, logged on reload) says
  // where and what was expected, never the text: parser messages quote the
  // offending token.
  constexpr char kSecret[] = "AUTHs3cr3tPASTED0a1b2c3d4e5f";
  struct Case {
    std::string text;
    std::string expected;  // The whole message after the path.
  };
  const std::string s = kSecret;
  const std::vector<Case> cases = {
      // As a field name.
      {"listen_address: \"127.0.0.1:1\"\n" + s + ": \"x\"\n",
       "line 2 column 29: unknown field name"},
      {"accounts {\n  auth_token { " + s + " }\n}\n",
       "line 2 column 45: unknown field name"},
      // As an enum value, a string, an integer and a boolean.
      {"default_profile: " + s + "\n",
       "line 2 column 1: invalid value for an enum field"},
      {"listen_address: " + s + "\n", "line 1 column 17: expected a string"},
      {"limits { max_scopes_per_request: " + s + " }\n",
       "line 1 column 34: expected an integer"},
      {"accounts { verify_only: " + s + " }\n",
       "line 1 column 54: invalid value for a boolean field"},
      // As a stray token: a value with no field, a value without ':', a
      // value after a field's value, and a string left open.
      {"\"" + s + "\"\n", "line 1 column 1: expected a field name"},
      {"listen_address \"" + s + "\"\n", "line 1 column 16: expected \":\""},
      {"limits { max_scopes_per_request: 4 \"" + s + "\" }\n",
       "line 1 column 36: expected a field name"},
      {"listen_address: \"" + s + "\n", "line 1 column 46: invalid string"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].text);
    const std::string path =
        WriteFile(absl::StrCat("secret_", i, ".textproto"), cases[i].text);
    absl::StatusOr<v1::ServerConfig> config = ReadServerConfigFile(path);
    EXPECT_THAT(config, StatusIs(absl::StatusCode::kInvalidArgument,
                                 absl::StrCat("config: ", path, ": ",
                                              cases[i].expected)));
    EXPECT_THAT(std::string(config.status().message()),
                Not(HasSubstr("s3cr3t")));
  }
}

TEST(ReadServerConfigFile, MissingFileIsNotFound) {
  const std::string path = TempPath("no_such_config.textproto");
  EXPECT_THAT(ReadServerConfigFile(path),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr(path)));
}

TEST(ReadServerConfigFile, DirectoryCannotBeRead) {
  const std::string path = TempPath("a_directory");
  ASSERT_TRUE(::mkdir(path.c_str(), 0700) == 0 || errno == EEXIST);
  EXPECT_THAT(ReadServerConfigFile(path),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr(path)));
}

TEST(ReadServerConfigFile, ReadsAConfigFromAPipe) {
  // `--config=<(generate-config)` hands the server a FIFO.
  const std::string path = TempPath("fifo");
  ::unlink(path.c_str());
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  std::thread writer([&path] {
    std::ofstream fifo(path);  // blocks until the reader opens it
    fifo << "listen_address: \"127.0.0.1:7\"\n";
  });
  absl::StatusOr<v1::ServerConfig> config = ReadServerConfigFile(path);
  writer.join();
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->listen_address(), "127.0.0.1:7");
}

// ---- ServerSettingsFromConfig: defaults -------------------------------

TEST(ServerConfig, MinimalConfigGetsEveryDefault) {
  ASSERT_OK_AND_ASSIGN(ServerSettings settings,
                       ServerSettingsFromConfig(MinimalConfig()));
  const token::SigningLimits defaults;
  EXPECT_EQ(settings.listen_address, "127.0.0.1:50051");
  EXPECT_FALSE(settings.behind_mesh_sidecar);
  EXPECT_EQ(settings.default_profile, token::Profile::kTwilioPython);
  EXPECT_EQ(settings.signing_limits.max_ttl, absl::Hours(24));
  EXPECT_EQ(settings.signing_limits.default_ttl, absl::Hours(1));
  EXPECT_EQ(settings.signing_limits.max_scopes, defaults.max_scopes);
  EXPECT_EQ(settings.signing_limits.max_params_per_scope,
            defaults.max_params_per_scope);
  EXPECT_EQ(settings.signing_limits.max_text_bytes, defaults.max_text_bytes);
  EXPECT_EQ(settings.signing_limits.max_token_bytes, defaults.max_token_bytes);
  EXPECT_EQ(settings.max_request_bytes, 64u * 1024);
  EXPECT_EQ(settings.max_concurrent_streams, 100);
  EXPECT_EQ(settings.max_verify_token_bytes, token::kMaxVerifyTokenBytes);
  EXPECT_EQ(settings.max_batch_requests, 100u);
  EXPECT_EQ(settings.max_server_memory_bytes, size_t{256} << 20);
  EXPECT_EQ(settings.silent_client_timeout, absl::Seconds(20));
  ASSERT_EQ(settings.accounts.size(), 1u);
  EXPECT_TRUE(settings.accounts[0].api_keys.empty());
  EXPECT_EQ(settings.accounts[0].account_sid, kSid1);
  EXPECT_EQ(settings.accounts[0].auth_token.env(), "TWILIO_AUTH_TOKEN");
  EXPECT_FALSE(settings.accounts[0].verify_only);
  EXPECT_FALSE(settings.accounts[0].secondary_auth_token.has_value());
  EXPECT_FALSE(settings.trust_forwarded_client_cert);
  EXPECT_FALSE(settings.tls.has_value());
  ASSERT_NE(settings.callers, nullptr);
  EXPECT_TRUE(settings.callers->open());
  EXPECT_EQ(settings.secret_watch_interval, absl::Seconds(10));
}

TEST(ServerConfig, DefaultTtlIsMaxTtlWhenMaxTtlIsUnderAnHour) {
  ASSERT_OK_AND_ASSIGN(ServerSettings settings,
                       SettingsWith("max_ttl { seconds: 600 }"));
  EXPECT_EQ(settings.signing_limits.max_ttl, absl::Seconds(600));
  EXPECT_EQ(settings.signing_limits.default_ttl, absl::Seconds(600));
}

TEST(ServerConfig, DefaultTtlStaysAnHourWhenMaxTtlIsLonger) {
  ASSERT_OK_AND_ASSIGN(ServerSettings settings,
                       SettingsWith("max_ttl { seconds: 7200 }"));
  EXPECT_EQ(settings.signing_limits.max_ttl, absl::Seconds(7200));
  EXPECT_EQ(settings.signing_limits.default_ttl, absl::Hours(1));
}

TEST(ServerConfig, TtlsOfExactly24HoursAreAccepted) {
  ASSERT_OK_AND_ASSIGN(ServerSettings settings,
                       SettingsWith("max_ttl { seconds: 86400 } "
                                    "default_ttl { seconds: 86400 }"));
  EXPECT_EQ(settings.signing_limits.max_ttl, absl::Hours(24));
  EXPECT_EQ(settings.signing_limits.default_ttl, absl::Hours(24));
}

TEST(ServerConfig, DefaultTtlEqualToMaxTtlIsAccepted) {
  ASSERT_OK_AND_ASSIGN(ServerSettings settings,
                       SettingsWith("max_ttl { seconds: 300 } "
                                    "default_ttl { seconds: 300 }"));
  EXPECT_EQ(settings.signing_limits.default_ttl, absl::Seconds(300));
}

TEST(ServerConfig, DefaultTtlIsAppliedWithoutMaxTtl) {
  ASSERT_OK_AND_ASSIGN(ServerSettings settings,
                       SettingsWith("default_ttl { seconds: 10800 }"));
  EXPECT_EQ(settings.signing_limits.default_ttl, absl::Hours(3));
  EXPECT_EQ(settings.signing_limits.max_ttl, absl::Hours(24));
}

TEST(ServerConfig, ProfilesMapToTheLibrary) {
  struct Case {
    const char* text;
    token::Profile expected;
  };
  for (const Case& c : {
           Case{"default_profile: PROFILE_UNSPECIFIED",
                token::Profile::kTwilioPython},
           Case{"default_profile: PROFILE_TWILIO_PYTHON",
                token::Profile::kTwilioPython},
           Case{"default_profile: PROFILE_TWILIO_NODE",
                token::Profile::kTwilioNode},
           Case{"default_profile: PROFILE_TWILIO_PYTHON_6",
                token::Profile::kTwilioPython6},
           Case{"default_profile: PROFILE_TWILIO_PYTHON_7",
                token::Profile::kTwilioPython7},
       }) {
    ASSERT_OK_AND_ASSIGN(ServerSettings settings, SettingsWith(c.text));
    EXPECT_EQ(settings.default_profile, c.expected) << c.text;
  }
}

TEST(ServerConfig, UnknownProfileNumberIsRefused) {
  v1::ServerConfig config = MinimalConfig();
  config.set_default_profile(static_cast<v1::Profile>(99));
  EXPECT_THAT(ServerSettingsFromConfig(config),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("default_profile")));
}

TEST(ServerConfig, VerifyOnlyIsCarried) {
  v1::ServerConfig config = MinimalConfig();
  v1::Account* account = config.add_accounts();
  account->set_account_sid(kSid2);
  account->mutable_auth_token()->set_file("/run/secrets/old");
  account->set_verify_only(true);
  ASSERT_OK_AND_ASSIGN(ServerSettings settings,
                       ServerSettingsFromConfig(config));
  ASSERT_EQ(settings.accounts.size(), 2u);
  EXPECT_FALSE(settings.accounts[0].verify_only);
  EXPECT_TRUE(settings.accounts[1].verify_only);
  EXPECT_EQ(settings.accounts[1].auth_token.file(), "/run/secrets/old");
}

// ---- ServerSettingsFromConfig: accounts ---------------------------------

TEST(ServerConfig, NoAccountsIsRefused) {
  EXPECT_THAT(
      ServerSettingsFromConfig(v1::ServerConfig()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("accounts")));
}

TEST(ServerConfig, MalformedAccountSidIsRefused) {
  for (const char* sid : {"", "AC0123", "AP0123456789abcdef0123456789abcdef",
                          "AC0123456789abcdef0123456789abcdeg",
                          "AC0123456789abcdef0123456789abcdef0"}) {
    v1::ServerConfig config = MinimalConfig();
    config.mutable_accounts(0)->set_account_sid(sid);
    EXPECT_THAT(ServerSettingsFromConfig(config),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("accounts[0].account_sid")))
        << sid;
  }
}

TEST(ServerConfig, MalformedSecondAccountSidNamesItsIndex) {
  v1::ServerConfig config = MinimalConfig();
  v1::Account* account = config.add_accounts();
  account->set_account_sid("ACnope");
  account->mutable_auth_token()->set_env("X");
  EXPECT_THAT(ServerSettingsFromConfig(config),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("accounts[1].account_sid")));
}

TEST(ServerConfig, DuplicateAccountIsRefused) {
  v1::ServerConfig config = MinimalConfig();
  v1::Account* other = config.add_accounts();
  other->set_account_sid(kSid2);
  other->mutable_auth_token()->set_env("OTHER");
  v1::Account* again = config.add_accounts();
  again->set_account_sid(kSid1);
  again->mutable_auth_token()->set_file("/elsewhere");
  EXPECT_THAT(ServerSettingsFromConfig(config),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("accounts[2].account_sid"),
                             HasSubstr(kSid1), HasSubstr("more than once"))));
}

// ---- ServerSettingsFromConfig: account directories -------------------------

TEST(ServerConfig, AnAccountDirectoryAloneIsEnough) {
  v1::ServerConfig config;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(account_directories { path: "/var/run/secrets/captoken/accounts" }
           account_directories { path: "/srv/partners" name: "partners" })pb",
      &config));
  ASSERT_OK_AND_ASSIGN(ServerSettings settings,
                       ServerSettingsFromConfig(config));
  EXPECT_TRUE(settings.accounts.empty());
  ASSERT_EQ(settings.account_directories.size(), 2u);
  EXPECT_EQ(settings.account_directories[0].path,
            "/var/run/secrets/captoken/accounts");
  // Without a name, policies name it by its path.
  EXPECT_EQ(settings.account_directories[0].name,
            "/var/run/secrets/captoken/accounts");
  EXPECT_EQ(settings.account_directories[1].name, "partners");
}

TEST(ServerConfig, BadAccountDirectoriesAreRefusedNamingTheField) {
  const struct {
    const char* text;
    const char* field;
  } kBad[] = {
      {"account_directories {}", "account_directories[0].path"},
      {"account_directories { path: \"/a\" name: \"has space\" }",
       "account_directories[0].name"},
      {"account_directories { path: \"/a\" } "
       "account_directories { path: \"/a\" name: \"other\" }",
       "account_directories[1].path"},
      {"account_directories { path: \"/a\" name: \"t\" } "
       "account_directories { path: \"/b\" name: \"t\" }",
       "account_directories[1].name"},
      {"account_directories { path: \"/a\" name: \"t\" } "
       "transport { mesh_sidecar { trust_forwarded_client_cert: true } } "
       "callers { identity: \"x\" account_sets { directory: \"typo\" } }",
       "callers[0].account_sets[0].directory"},
  };
  for (const auto& bad : kBad) {
    EXPECT_THAT(SettingsWith(bad.text),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr(absl::StrCat(bad.field, ":"))))
        << bad.text;
  }
}

TEST(ServerConfig, PolicyAccountSetsNameDirectoriesByNameOrPath) {
  EXPECT_THAT(
      SettingsWith(
          "account_directories { path: \"/a\" name: \"t\" } "
          "account_directories { path: \"/b\" } "
          "transport { mesh_sidecar { trust_forwarded_client_cert: true } } "
          "callers { identity: \"x\" account_sets { directory: \"t\" } "
          "account_sets { directory: \"/b\" label: \"gold\" } "
          "account_sets { label: \"silver\" } }"),
      IsOk());
}

TEST(ServerConfig, AccountWithoutAuthTokenSourceIsRefused) {
  v1::ServerConfig config = MinimalConfig();
  config.mutable_accounts(0)->clear_auth_token();
  EXPECT_THAT(ServerSettingsFromConfig(config),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("accounts[0].auth_token")));

  config.mutable_accounts(0)->mutable_auth_token();  // present, no source
  EXPECT_THAT(ServerSettingsFromConfig(config),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("accounts[0].auth_token")));
}

TEST(ServerConfig, EmptyAuthTokenSourceIsRefused) {
  v1::ServerConfig env = MinimalConfig();
  env.mutable_accounts(0)->mutable_auth_token()->set_env("");
  EXPECT_THAT(ServerSettingsFromConfig(env),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("accounts[0].auth_token")));

  v1::ServerConfig file = MinimalConfig();
  file.mutable_accounts(0)->mutable_auth_token()->set_file("");
  EXPECT_THAT(ServerSettingsFromConfig(file),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("accounts[0].auth_token")));
}

// ---- ServerSettingsFromConfig: listen address ---------------------------

TEST(ServerConfig, LoopbackAddressesNeedNoTransport) {
  for (const char* address :
       {"127.0.0.1:0", "127.1.2.3:9000", "[::1]:50051", "localhost:8080"}) {
    v1::ServerConfig config = MinimalConfig();
    config.set_listen_address(address);
    ASSERT_OK_AND_ASSIGN(ServerSettings settings,
                         ServerSettingsFromConfig(config));
    EXPECT_EQ(settings.listen_address, address);
    EXPECT_FALSE(settings.behind_mesh_sidecar);
  }
}

TEST(ServerConfig, NonLoopbackAddressIsRefusedWithoutTransport) {
  for (const char* address :
       {"0.0.0.0:50051", "[::]:50051", "10.0.0.1:50051", "example.com:443"}) {
    v1::ServerConfig config = MinimalConfig();
    config.set_listen_address(address);
    EXPECT_THAT(
        ServerSettingsFromConfig(config),
        StatusIs(absl::StatusCode::kInvalidArgument,
                 AllOf(HasSubstr("listen_address"), HasSubstr("mesh_sidecar"))))
        << address;
  }
}

// A caller policy, for configs that need one.
constexpr char kFrontendPolicy[] =
    "callers { identity: \"spiffe://example.org/ns/web/sa/frontend\" "
    "accounts: \"*\" }";

TEST(ServerConfig, NonLoopbackAddressIsAcceptedBehindAMeshSidecar) {
  ASSERT_OK_AND_ASSIGN(
      ServerSettings settings,
      SettingsWith(absl::StrCat(
          "listen_address: \"0.0.0.0:50051\" "
          "transport { mesh_sidecar { trust_forwarded_client_cert: true } } ",
          kFrontendPolicy)));
  EXPECT_EQ(settings.listen_address, "0.0.0.0:50051");
  EXPECT_TRUE(settings.behind_mesh_sidecar);
  EXPECT_TRUE(settings.trust_forwarded_client_cert);
  EXPECT_FALSE(settings.callers->open());
}

TEST(ServerConfig, NonLoopbackAddressWithoutCallersIsRefused) {
  // A transport alone is not enough: without policies every caller could
  // mint for every account.
  EXPECT_THAT(
      SettingsWith("listen_address: \"0.0.0.0:50051\" "
                   "transport { mesh_sidecar { trust_forwarded_client_cert: "
                   "true } }"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("callers")));
  EXPECT_THAT(
      SettingsWith("listen_address: \"0.0.0.0:50051\" "
                   "transport { mesh_sidecar {} }"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("callers")));
}

TEST(ServerConfig, NonLoopbackAddressWithCallersStillNeedsATransport) {
  EXPECT_THAT(SettingsWith(absl::StrCat("listen_address: \"0.0.0.0:50051\" ",
                                        kFrontendPolicy)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("listen_address")));
}

TEST(ServerConfig, EmptyTransportDoesNotAllowNonLoopback) {
  // `transport {}` sets no mode: still plaintext.
  EXPECT_THAT(SettingsWith("listen_address: \"0.0.0.0:50051\" transport {}"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("listen_address")));
}

TEST(ServerConfig, ListenAddressWithoutPortIsRefused) {
  EXPECT_THAT(
      SettingsWith("listen_address: \"localhost\""),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("listen_address"), HasSubstr("HOST:PORT"))));
}

// ---- ServerSettingsFromConfig: lifetimes ----------------------------------

TEST(ServerConfig, MaxTtlOver24HoursIsRefused) {
  EXPECT_THAT(
      SettingsWith("max_ttl { seconds: 86401 }"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("max_ttl")));
}

TEST(ServerConfig, ZeroMaxTtlIsRefused) {
  // Set to zero is not unset: the config says something impossible.
  EXPECT_THAT(
      SettingsWith("max_ttl {}"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("max_ttl")));
}

TEST(ServerConfig, NegativeMaxTtlIsRefused) {
  EXPECT_THAT(
      SettingsWith("max_ttl { seconds: -60 }"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("max_ttl")));
}

TEST(ServerConfig, FractionalMaxTtlIsRefused) {
  EXPECT_THAT(SettingsWith("max_ttl { seconds: 60 nanos: 500000000 }"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("max_ttl"), HasSubstr("whole"))));
}

TEST(ServerConfig, BadDefaultTtlIsRefused) {
  for (const char* text :
       {"default_ttl {}", "default_ttl { seconds: 86401 }",
        "default_ttl { seconds: -1 }", "default_ttl { nanos: 1 }",
        "default_ttl { seconds: 1 nanos: 1 }"}) {
    EXPECT_THAT(SettingsWith(text), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("default_ttl")))
        << text;
  }
}

TEST(ServerConfig, DefaultTtlOverMaxTtlIsRefused) {
  EXPECT_THAT(SettingsWith("max_ttl { seconds: 600 } "
                           "default_ttl { seconds: 601 }"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("default_ttl"), HasSubstr("max_ttl"))));
}

// ---- ServerSettingsFromConfig: limits ---------------------------------

struct LimitCase {
  const char* field;
  uint32_t min;
  uint32_t max;
};

constexpr LimitCase kLimits[] = {
    {"max_request_bytes", 1024, 4 << 20}, {"max_scopes_per_request", 1, 1000},
    {"max_params_per_scope", 1, 1000},    {"max_text_bytes", 1, 65536},
    {"max_token_bytes", 256, 1 << 20},    {"max_concurrent_streams", 1, 100000},
    {"max_batch_requests", 1, 1000},
};

// Returns the configured value of `field` as ServerSettings holds it.
uint64_t AppliedLimit(const ServerSettings& settings, absl::string_view field) {
  if (field == "max_request_bytes") return settings.max_request_bytes;
  if (field == "max_scopes_per_request") {
    return settings.signing_limits.max_scopes;
  }
  if (field == "max_params_per_scope") {
    return settings.signing_limits.max_params_per_scope;
  }
  if (field == "max_text_bytes") return settings.signing_limits.max_text_bytes;
  if (field == "max_token_bytes") {
    return settings.signing_limits.max_token_bytes;
  }
  if (field == "max_batch_requests") return settings.max_batch_requests;
  return static_cast<uint64_t>(settings.max_concurrent_streams);
}

TEST(ServerConfig, EachLimitAtItsBoundsIsApplied) {
  for (const LimitCase& limit : kLimits) {
    for (uint32_t value : {limit.min, limit.max}) {
      ASSERT_OK_AND_ASSIGN(ServerSettings settings,
                           SettingsWith(absl::StrCat("limits { ", limit.field,
                                                     ": ", value, " }")));
      EXPECT_EQ(AppliedLimit(settings, limit.field), value) << limit.field;
    }
  }
}

TEST(ServerConfig, EachLimitOutOfRangeIsRefused) {
  for (const LimitCase& limit : kLimits) {
    std::vector<uint64_t> bad = {uint64_t{limit.max} + 1, UINT32_MAX};
    if (limit.min > 1) bad.push_back(limit.min - 1);
    for (uint64_t value : bad) {
      EXPECT_THAT(SettingsWith(absl::StrCat("limits { ", limit.field, ": ",
                                            value, " }")),
                  StatusIs(absl::StatusCode::kInvalidArgument,
                           HasSubstr(absl::StrCat("limits.", limit.field))))
          << limit.field << " = " << value;
    }
  }
}

TEST(ServerConfig, EachZeroLimitMeansTheDefault) {
  ASSERT_OK_AND_ASSIGN(ServerSettings defaults,
                       ServerSettingsFromConfig(MinimalConfig()));
  for (const LimitCase& limit : kLimits) {
    ASSERT_OK_AND_ASSIGN(
        ServerSettings settings,
        SettingsWith(absl::StrCat("limits { ", limit.field, ": 0 }")));
    EXPECT_EQ(AppliedLimit(settings, limit.field),
              AppliedLimit(defaults, limit.field))
        << limit.field;
  }
}

TEST(ServerConfig, LimitsLeaveTheOthersAtTheirDefaults) {
  ASSERT_OK_AND_ASSIGN(ServerSettings settings,
                       SettingsWith("limits { max_text_bytes: 64 }"));
  const token::SigningLimits defaults;
  EXPECT_EQ(settings.signing_limits.max_text_bytes, 64u);
  EXPECT_EQ(settings.signing_limits.max_scopes, defaults.max_scopes);
  EXPECT_EQ(settings.signing_limits.max_token_bytes, defaults.max_token_bytes);
  EXPECT_EQ(settings.max_request_bytes, 64u * 1024);
  EXPECT_EQ(settings.max_concurrent_streams, 100);
}

TEST(ServerConfig, ServerMemoryIsAppliedWithinItsBounds) {
  for (uint64_t bytes :
       {uint64_t{16} << 20, uint64_t{1} << 30, uint64_t{1} << 40}) {
    ASSERT_OK_AND_ASSIGN(
        ServerSettings settings,
        SettingsWith(
            absl::StrCat("limits { max_server_memory_bytes: ", bytes, " }")));
    EXPECT_EQ(settings.max_server_memory_bytes, bytes);
  }
  ASSERT_OK_AND_ASSIGN(ServerSettings zero,
                       SettingsWith("limits { max_server_memory_bytes: 0 }"));
  EXPECT_EQ(zero.max_server_memory_bytes, size_t{256} << 20);
}

TEST(ServerConfig, ServerMemoryOutOfRangeIsRefused) {
  for (uint64_t bytes : {uint64_t{1}, (uint64_t{16} << 20) - 1,
                         (uint64_t{1} << 40) + 1, UINT64_MAX}) {
    EXPECT_THAT(SettingsWith(absl::StrCat(
                    "limits { max_server_memory_bytes: ", bytes, " }")),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("limits.max_server_memory_bytes")))
        << bytes;
  }
}

TEST(ServerConfig, SilentClientTimeoutIsAppliedWithinItsBounds) {
  for (int64_t seconds : {2, 45, 3600}) {
    ASSERT_OK_AND_ASSIGN(
        ServerSettings settings,
        SettingsWith(absl::StrCat(
            "limits { silent_client_timeout { seconds: ", seconds, " } }")));
    EXPECT_EQ(settings.silent_client_timeout, absl::Seconds(seconds));
  }
}

TEST(ServerConfig, SilentClientTimeoutOutOfRangeOrFractionalIsRefused) {
  for (const char* timeout : {"seconds: 0", "seconds: 1", "seconds: 3601",
                              "seconds: -5", "seconds: 10 nanos: 500000000"}) {
    EXPECT_THAT(SettingsWith(absl::StrCat("limits { silent_client_timeout { ",
                                          timeout, " } }")),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("limits.silent_client_timeout")))
        << timeout;
  }
}

// ---- IsLoopbackAddress ---------------------------------------------------

TEST(IsLoopbackAddress, LoopbackAddresses) {
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.1:1"));
  EXPECT_TRUE(IsLoopbackAddress("127.5.5.5:1"));
  EXPECT_TRUE(IsLoopbackAddress("127.255.255.255:65535"));
  EXPECT_TRUE(IsLoopbackAddress("[::1]:0"));
  EXPECT_TRUE(IsLoopbackAddress("localhost:80"));
}

TEST(IsLoopbackAddress, OtherAddresses) {
  EXPECT_FALSE(IsLoopbackAddress("0.0.0.0:1"));
  EXPECT_FALSE(IsLoopbackAddress("[::]:1"));
  EXPECT_FALSE(IsLoopbackAddress("10.0.0.1:1"));
  EXPECT_FALSE(IsLoopbackAddress("example.com:1"));
  EXPECT_FALSE(IsLoopbackAddress("128.0.0.1:1"));
  EXPECT_FALSE(IsLoopbackAddress("[::2]:1"));
  EXPECT_FALSE(IsLoopbackAddress("[::1:1"));  // unclosed bracket
  EXPECT_FALSE(IsLoopbackAddress(":1"));
  EXPECT_FALSE(IsLoopbackAddress(""));
}

TEST(IsLoopbackAddress, HostNameThatStartsLikeALoopbackAddressIsNot) {
  // A DNS name can resolve to any address, whatever its first label.
  EXPECT_FALSE(IsLoopbackAddress("127.example.com:1"));
  EXPECT_FALSE(IsLoopbackAddress("127.0.0.1.nip.io:1"));
  EXPECT_FALSE(IsLoopbackAddress("127.:1"));
}

TEST(ServerConfig, HostNameThatStartsLikeALoopbackAddressNeedsTransport) {
  EXPECT_THAT(SettingsWith("listen_address: \"127.0.0.1.nip.io:50051\""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("listen_address")));
}

// ---- ServerSettingsFromConfig: TLS -----------------------------------------

// PEM-looking files: their content is not parsed when the config is read.
struct TlsFiles {
  std::string certificate = WriteFile(
      "server.crt",
      "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
  std::string private_key = WriteFile(
      "server.key",
      "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n");
  std::string client_ca = WriteFile(
      "client-ca.crt",
      "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n");
};

std::string TlsText(const std::string& certificate,
                    const std::string& private_key,
                    const std::string& client_ca = "",
                    const std::string& extra = "") {
  std::string text = "transport { tls { ";
  if (!certificate.empty()) {
    absl::StrAppend(&text, "certificate_file: \"", certificate, "\" ");
  }
  if (!private_key.empty()) {
    absl::StrAppend(&text, "private_key_file: \"", private_key, "\" ");
  }
  if (!client_ca.empty()) {
    absl::StrAppend(&text, "client_ca_file: \"", client_ca, "\" ");
  }
  absl::StrAppend(&text, extra, "} } ");
  return text;
}

TEST(ServerConfig, TlsIsCarriedWithItsFiles) {
  const TlsFiles files;
  ASSERT_OK_AND_ASSIGN(
      ServerSettings settings,
      SettingsWith(absl::StrCat(
          "listen_address: \"0.0.0.0:8443\" ",
          TlsText(files.certificate, files.private_key, files.client_ca,
                  "crl_directory: \"/etc/captoken/crls\" "),
          kFrontendPolicy)));
  ASSERT_TRUE(settings.tls.has_value());
  EXPECT_EQ(settings.tls->certificate_file, files.certificate);
  EXPECT_EQ(settings.tls->private_key_file, files.private_key);
  EXPECT_EQ(settings.tls->client_ca_file, files.client_ca);
  EXPECT_EQ(settings.tls->crl_directory, "/etc/captoken/crls");
  EXPECT_EQ(settings.tls->refresh_interval, absl::Seconds(60));
  EXPECT_FALSE(settings.behind_mesh_sidecar);
  EXPECT_FALSE(settings.trust_forwarded_client_cert);
  EXPECT_FALSE(settings.callers->open());
}

TEST(ServerConfig, TlsOnLoopbackNeedsNoCallers) {
  const TlsFiles files;
  ASSERT_OK_AND_ASSIGN(
      ServerSettings settings,
      SettingsWith(TlsText(files.certificate, files.private_key)));
  ASSERT_TRUE(settings.tls.has_value());
  EXPECT_EQ(settings.tls->client_ca_file, "");
  EXPECT_TRUE(settings.callers->open());
}

TEST(ServerConfig, TlsRefreshIntervalIsAppliedAndAtLeastASecond) {
  const TlsFiles files;
  ASSERT_OK_AND_ASSIGN(
      ServerSettings settings,
      SettingsWith(TlsText(files.certificate, files.private_key, "",
                           "refresh_interval { seconds: 5 } ")));
  EXPECT_EQ(settings.tls->refresh_interval, absl::Seconds(5));
  for (const char* interval :
       {"refresh_interval {} ", "refresh_interval { seconds: -5 } ",
        "refresh_interval { nanos: 500000000 } "}) {
    EXPECT_THAT(SettingsWith(TlsText(files.certificate, files.private_key, "",
                                     interval)),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("transport.tls.refresh_interval")))
        << interval;
  }
}

TEST(ServerConfig, TlsWithoutCertificateOrKeyIsRefused) {
  const TlsFiles files;
  for (const std::string& text :
       {TlsText("", files.private_key), TlsText(files.certificate, ""),
        TlsText("", ""), TlsText("", "", files.client_ca)}) {
    EXPECT_THAT(SettingsWith(text),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         AllOf(HasSubstr("transport.tls"),
                               HasSubstr("certificate_file"),
                               HasSubstr("private_key_file"))))
        << text;
  }
}

TEST(ServerConfig, TlsWithAFileThatCannotBeReadIsRefused) {
  const TlsFiles files;
  const std::string missing = TempPath("no_such.pem");
  for (const std::string& text : {
           TlsText(missing, files.private_key),
           TlsText(files.certificate, missing),
           TlsText(files.certificate, files.private_key, missing),
       }) {
    EXPECT_THAT(SettingsWith(text),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         AllOf(HasSubstr("transport.tls"), HasSubstr(missing))))
        << text;
  }
}

// ---- ServerSettingsFromConfig: caller policies -----------------------------

TEST(ServerConfig, CallersNeedAWayToIdentifyCallers) {
  const TlsFiles files;
  for (const std::string& transport : {
           std::string(""),
           std::string("transport { mesh_sidecar {} } "),
           TlsText(files.certificate, files.private_key),
       }) {
    EXPECT_THAT(
        SettingsWith(absl::StrCat(transport, kFrontendPolicy)),
        StatusIs(absl::StatusCode::kInvalidArgument,
                 AllOf(HasSubstr("callers"), HasSubstr("client_ca_file"),
                       HasSubstr("trust_forwarded_client_cert"))))
        << transport;
  }
}

TEST(ServerConfig, CallersAreAcceptedWithMutualTlsOrATrustedSidecar) {
  const TlsFiles files;
  for (const std::string& transport : {
           std::string("transport { mesh_sidecar { "
                       "trust_forwarded_client_cert: true } } "),
           TlsText(files.certificate, files.private_key, files.client_ca),
       }) {
    for (const char* address : {"127.0.0.1:50051", "0.0.0.0:50051"}) {
      ASSERT_OK_AND_ASSIGN(
          ServerSettings settings,
          SettingsWith(absl::StrCat("listen_address: \"", address, "\" ",
                                    transport, kFrontendPolicy)));
      EXPECT_FALSE(settings.callers->open()) << transport << address;
    }
  }
}

TEST(ServerConfig, NonLoopbackTlsWithoutClientCaIsRefused) {
  // Without mutual TLS there are no identities, so no policies, so no way
  // beyond loopback.
  const TlsFiles files;
  const std::string tls = TlsText(files.certificate, files.private_key);
  EXPECT_THAT(
      SettingsWith(absl::StrCat("listen_address: \"0.0.0.0:1\" ", tls)),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("callers")));
  EXPECT_THAT(
      SettingsWith(
          absl::StrCat("listen_address: \"0.0.0.0:1\" ", tls, kFrontendPolicy)),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("callers")));
}

TEST(ServerConfig, BadCallerPolicyIsRefusedNamingIt) {
  EXPECT_THAT(
      SettingsWith("transport { mesh_sidecar { trust_forwarded_client_cert: "
                   "true } } callers { identity: \"a\" } "
                   "callers { identity: \"b\" accounts: \"AC1\" }"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("callers[1].accounts[0]")));
}

TEST(ServerConfig, CallerMaxTtlIsBoundedByTheServersMaxTtl) {
  const std::string base =
      "max_ttl { seconds: 600 } "
      "transport { mesh_sidecar { trust_forwarded_client_cert: true } } ";
  EXPECT_THAT(
      SettingsWith(absl::StrCat(
          base, "callers { identity: \"a\" max_ttl { seconds: 601 } }")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("callers[0].max_ttl")));
  EXPECT_THAT(
      SettingsWith(absl::StrCat(
          base, "callers { identity: \"a\" max_ttl { seconds: 600 } }")),
      ::captoken::testing::IsOk());
}

// ---- ServerSettingsFromConfig: secondary auth token -----------------------

TEST(ServerConfig, SecondaryAuthTokenIsCarried) {
  for (const char* source : {"env: \"OLD_TOKEN\"", "file: \"/run/old\""}) {
    v1::ServerConfig config = MinimalConfig();
    ASSERT_TRUE(google::protobuf::TextFormat::MergeFromString(
        absl::StrCat("secondary_auth_token { ", source, " }"),
        config.mutable_accounts(0)));
    ASSERT_OK_AND_ASSIGN(ServerSettings settings,
                         ServerSettingsFromConfig(config));
    ASSERT_TRUE(settings.accounts[0].secondary_auth_token.has_value());
    EXPECT_EQ(settings.accounts[0].secondary_auth_token->SerializeAsString(),
              config.accounts(0).secondary_auth_token().SerializeAsString());
    EXPECT_EQ(settings.accounts[0].auth_token.env(), "TWILIO_AUTH_TOKEN");
  }
}

TEST(ServerConfig, SecondaryAuthTokenWithoutASourceIsRefused) {
  for (const char* text :
       {"secondary_auth_token {}", "secondary_auth_token { env: \"\" }",
        "secondary_auth_token { file: \"\" }"}) {
    v1::ServerConfig config = MinimalConfig();
    ASSERT_TRUE(google::protobuf::TextFormat::MergeFromString(
        text, config.mutable_accounts(0)));
    EXPECT_THAT(ServerSettingsFromConfig(config),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("accounts[0].secondary_auth_token")))
        << text;
  }
}

// ---- ServerSettingsFromConfig: API keys ------------------------------------

constexpr char kKey1[] = "SK0123456789abcdef0123456789abcdef";
constexpr char kKey2[] = "SKfedcba9876543210fedcba9876543210";

// MinimalConfig with `account_text` merged into its account.
absl::StatusOr<ServerSettings> SettingsWithAccount(
    const std::string& account_text) {
  v1::ServerConfig config = MinimalConfig();
  EXPECT_TRUE(google::protobuf::TextFormat::MergeFromString(
      account_text, config.mutable_accounts(0)))
      << account_text;
  return ServerSettingsFromConfig(config);
}

TEST(ServerConfig, ApiKeysAreCarriedInOrder) {
  ASSERT_OK_AND_ASSIGN(
      ServerSettings settings,
      SettingsWithAccount(absl::StrCat(
          "api_keys { sid: \"", kKey1,
          "\" secret { file: \"/run/k1\" } verify_only: true }\n",
          "api_keys { sid: \"", kKey2, "\" secret { env: \"KEY_2\" } }")));
  const std::vector<ApiKeySettings>& keys = settings.accounts[0].api_keys;
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].sid, kKey1);
  EXPECT_EQ(keys[0].secret.file(), "/run/k1");
  EXPECT_TRUE(keys[0].verify_only);
  EXPECT_EQ(keys[1].sid, kKey2);
  EXPECT_EQ(keys[1].secret.env(), "KEY_2");
  EXPECT_FALSE(keys[1].verify_only);
}

TEST(ServerConfig, MalformedApiKeySidIsRefusedNamingIt) {
  for (const char* sid : {"", "SK0123", "AC0123456789abcdef0123456789abcdef",
                          "sk0123456789abcdef0123456789abcdef"}) {
    EXPECT_THAT(SettingsWithAccount(absl::StrCat(
                    "api_keys { sid: \"", kKey1, "\" secret { env: \"K\" } }\n",
                    "api_keys { sid: \"", sid, "\" secret { env: \"K\" } }")),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("config: accounts[0].api_keys[1].sid: ")))
        << sid;
  }
}

TEST(ServerConfig, ApiKeyWithoutASecretSourceIsRefused) {
  for (const char* secret :
       {"", "secret {}", "secret { env: \"\" }", "secret { file: \"\" }"}) {
    EXPECT_THAT(SettingsWithAccount(absl::StrCat("api_keys { sid: \"", kKey1,
                                                 "\" ", secret, " }")),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("accounts[0].api_keys[0].secret: set `env")))
        << secret;
  }
}

TEST(ServerConfig, AnApiKeyTwiceInOneAccountIsRefused) {
  EXPECT_THAT(SettingsWithAccount(absl::StrCat(
                  "api_keys { sid: \"", kKey1, "\" secret { env: \"A\" } }\n",
                  "api_keys { sid: \"", kKey1, "\" secret { env: \"B\" } }")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("accounts[0].api_keys[1].sid"),
                             HasSubstr("more than once"))));
}

TEST(ServerConfig, AnApiKeyInTwoAccountsIsRefused) {
  // A key belongs to one account; Twilio would reject the other's tokens.
  v1::ServerConfig config = MinimalConfig();
  v1::ApiKey* first = config.mutable_accounts(0)->add_api_keys();
  first->set_sid(kKey1);
  first->mutable_secret()->set_env("A");
  v1::Account* second = config.add_accounts();
  second->set_account_sid(kSid2);
  second->mutable_auth_token()->set_env("T2");
  *second->add_api_keys() = *first;
  EXPECT_THAT(ServerSettingsFromConfig(config),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("accounts[1].api_keys[0].sid"),
                             HasSubstr("more than once"))));
}

TEST(ServerConfig, ConfigErrorsAboutApiKeysNeverNameASecret) {
  // The config holds no secrets, only where they are; errors name that.
  EXPECT_THAT(SettingsWithAccount("api_keys { sid: \"SK1\" secret { env: "
                                  "\"MY_KEY_VARIABLE\" } }"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Not(HasSubstr("MY_KEY_VARIABLE"))));
}

// ---- ServerSettingsFromConfig: secret_watch_interval -----------------------

TEST(ServerConfig, SecretWatchIntervalIsApplied) {
  ASSERT_OK_AND_ASSIGN(ServerSettings settings,
                       SettingsWith("secret_watch_interval { seconds: 30 }"));
  EXPECT_EQ(settings.secret_watch_interval, absl::Seconds(30));
  // Zero turns watching off.
  ASSERT_OK_AND_ASSIGN(settings, SettingsWith("secret_watch_interval {}"));
  EXPECT_EQ(settings.secret_watch_interval, absl::ZeroDuration());
}

TEST(ServerConfig, NegativeSecretWatchIntervalIsRefused) {
  EXPECT_THAT(SettingsWith("secret_watch_interval { seconds: -1 }"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("secret_watch_interval")));
}

TEST(ServerConfig, FractionalSecretWatchIntervalIsRefused) {
  // Half a second must not silently become zero, which turns watching off.
  for (const char* text : {"secret_watch_interval { nanos: 500000000 }",
                           "secret_watch_interval { seconds: 1 nanos: 1 }"}) {
    EXPECT_THAT(SettingsWith(text),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("secret_watch_interval")))
        << text;
  }
}

// ---- DevelopmentSettings -------------------------------------------------

TEST(DevelopmentSettings, HasEveryDefaultAndNoAccount) {
  const ServerSettings settings = DevelopmentSettings();
  const token::SigningLimits defaults;
  EXPECT_EQ(settings.listen_address, kDefaultListenAddress);
  EXPECT_EQ(settings.listen_address, "127.0.0.1:50051");
  EXPECT_TRUE(IsLoopbackAddress(settings.listen_address));
  EXPECT_FALSE(settings.behind_mesh_sidecar);
  EXPECT_TRUE(settings.accounts.empty());
  EXPECT_EQ(settings.default_profile, token::Profile::kTwilioPython);
  EXPECT_EQ(settings.signing_limits.max_ttl, defaults.max_ttl);
  EXPECT_EQ(settings.signing_limits.default_ttl, defaults.default_ttl);
  EXPECT_EQ(settings.signing_limits.max_scopes, defaults.max_scopes);
  EXPECT_EQ(settings.signing_limits.max_token_bytes, defaults.max_token_bytes);
  EXPECT_EQ(settings.max_request_bytes, 64u * 1024);
  EXPECT_EQ(settings.max_concurrent_streams, 100);
}

TEST(DevelopmentSettings, HasOpenCallersAndNoWatching) {
  const ServerSettings settings = DevelopmentSettings();
  ASSERT_NE(settings.callers, nullptr);
  EXPECT_TRUE(settings.callers->open());
  EXPECT_EQ(settings.secret_watch_interval, absl::ZeroDuration());
  EXPECT_FALSE(settings.tls.has_value());
  EXPECT_FALSE(settings.trust_forwarded_client_cert);
}

TEST(DevelopmentSettings, MatchesAConfigWithOnlyTheDevelopmentAccount) {
  v1::ServerConfig config;
  v1::Account* account = config.add_accounts();
  account->set_account_sid(std::string(kDevelopmentAccountSid));
  account->mutable_auth_token()->set_env("UNUSED");
  ASSERT_OK_AND_ASSIGN(ServerSettings from_config,
                       ServerSettingsFromConfig(config));
  const ServerSettings development = DevelopmentSettings();
  EXPECT_EQ(development.listen_address, from_config.listen_address);
  EXPECT_EQ(development.signing_limits.default_ttl,
            from_config.signing_limits.default_ttl);
  EXPECT_EQ(development.signing_limits.max_ttl,
            from_config.signing_limits.max_ttl);
  EXPECT_EQ(development.max_request_bytes, from_config.max_request_bytes);
  EXPECT_EQ(development.max_concurrent_streams,
            from_config.max_concurrent_streams);
  EXPECT_EQ(development.max_server_memory_bytes,
            from_config.max_server_memory_bytes);
  EXPECT_EQ(development.silent_client_timeout,
            from_config.silent_client_timeout);
}

}  // namespace
}  // namespace captoken::config
