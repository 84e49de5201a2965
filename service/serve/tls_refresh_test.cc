// RefreshTlsFiles: a replacement set that loads is served; one that does
// not leaves the served set as it was, and says so in the log and the
// metrics without echoing a file. The certificates are made by the openssl
// CLI (tests/testing/make_test_pki.sh).

#include "service/serve/tls_refresh.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/config/tls_files.h"
#include "tests/testing/json_lines.h"
#include "tests/testing/log_file.h"
#include "tests/testing/metrics_text.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace captoken::serve {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::LogFile;
using ::captoken::testing::ScrapeText;
using ::captoken::testing::StringField;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

class TlsRefreshTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new std::string(testing::TempPath("pki"));
    absl::StatusOr<testing::ProcessResult> made = testing::RunProcess(
        {"/bin/bash", testing::RunfilePath("tests/testing/make_test_pki.sh"),
         *pki_});
    ASSERT_THAT(made, IsOk());
    ASSERT_EQ(made->exit_code, 0) << made->stderr_text;
  }

  void SetUp() override {
    tls_.certificate_file = testing::TempPath("tls.crt");
    tls_.private_key_file = testing::TempPath("tls.key");
    tls_.client_ca_file = testing::TempPath("ca.crt");
    Install("server.pem", "server.key", "ca.pem");
    ASSERT_OK_AND_ASSIGN(config::TlsFileContents first,
                         config::LoadTlsFiles(tls_));
    ASSERT_OK_AND_ASSIGN(mirror_, TlsMirror::Create(first));
    served_ = mirror_->ServedSettings(tls_);
  }

  static std::string Pki(absl::string_view name) {
    return testing::ReadFile(absl::StrCat(*pki_, "/", name)).value_or("");
  }

  // Writes the configured files from the test PKI's.
  void Install(absl::string_view certificate, absl::string_view key,
               absl::string_view client_ca) {
    ASSERT_THAT(testing::WriteFile(tls_.certificate_file, Pki(certificate)),
                IsOk());
    ASSERT_THAT(testing::WriteFile(tls_.private_key_file, Pki(key)), IsOk());
    ASSERT_THAT(testing::WriteFile(tls_.client_ca_file, Pki(client_ca)),
                IsOk());
  }

  void Refresh() {
    RefreshTlsFiles(tls_, mirror_.get(), &metrics_, log_.logger());
  }

  // What gRPC would read now.
  std::string ServedCertificate() const {
    return testing::ReadFile(served_.certificate_file).value_or("");
  }
  std::string ServedKey() const {
    return testing::ReadFile(served_.private_key_file).value_or("");
  }

  static std::string* pki_;
  config::TlsSettings tls_;
  std::unique_ptr<TlsMirror> mirror_;
  config::TlsSettings served_;
  observe::ServerMetrics metrics_;
  LogFile log_;
};

std::string* TlsRefreshTest::pki_ = nullptr;

TEST_F(TlsRefreshTest, ARenewedCertificateAndKeyAreServed) {
  Install("server-v2.pem", "server-v2.key", "ca.pem");
  Refresh();
  EXPECT_EQ(ServedCertificate(), Pki("server-v2.pem"));
  EXPECT_EQ(ServedKey(), Pki("server-v2.key"));
  EXPECT_THAT(log_.Events("tls_files_reloaded"), SizeIs(1));
  EXPECT_THAT(ScrapeText(metrics_),
              HasSubstr("captoken_tls_reloads_total{outcome=\"ok\"} 1"));
}

TEST_F(TlsRefreshTest, UnchangedFilesChangeNothingAndSayNothing) {
  Install("server.pem", "server.key", "ca.pem");  // Rewritten, same bytes.
  Refresh();
  EXPECT_THAT(log_.Lines(), IsEmpty());
  EXPECT_THAT(ScrapeText(metrics_),
              HasSubstr("captoken_tls_reloads_total{outcome=\"ok\"} 0"));
}

TEST_F(TlsRefreshTest, FilesThatDoNotLoadLeaveTheServedSetAsItWas) {
  const std::string garbage = "-----BEGIN CERTIFICATE-----\nnot one\n";
  struct Case {
    const char* name;
    std::string certificate, key, client_ca;
    const char* reason;
  };
  const Case cases[] = {
      {"garbage certificate", garbage, Pki("server.key"), Pki("ca.pem"),
       "transport.tls.certificate_file"},
      // A renewal caught half-written: the new key, the old certificate.
      {"mismatched key", Pki("server.pem"), Pki("server-v2.key"), Pki("ca.pem"),
       "does not match the certificate"},
      {"garbage client CA", Pki("server.pem"), Pki("server.key"), garbage,
       "transport.tls.client_ca_file"},
      {"empty key", Pki("server.pem"), "", Pki("ca.pem"),
       "transport.tls.private_key_file"},
  };
  int failures = 0;
  for (const Case& bad : cases) {
    SCOPED_TRACE(bad.name);
    ASSERT_THAT(testing::WriteFile(tls_.certificate_file, bad.certificate),
                IsOk());
    ASSERT_THAT(testing::WriteFile(tls_.private_key_file, bad.key), IsOk());
    ASSERT_THAT(testing::WriteFile(tls_.client_ca_file, bad.client_ca), IsOk());
    Refresh();
    ++failures;
    EXPECT_EQ(ServedCertificate(), Pki("server.pem"));
    EXPECT_EQ(ServedKey(), Pki("server.key"));
    const auto unusable = log_.Events("tls_files_unusable");
    ASSERT_THAT(unusable, SizeIs(failures));
    EXPECT_THAT(StringField(unusable.back(), "reason"), HasSubstr(bad.reason));
    EXPECT_THAT(StringField(unusable.back(), "kept"),
                HasSubstr("served until now"));
    EXPECT_THAT(
        ScrapeText(metrics_),
        HasSubstr(absl::StrCat(
            "captoken_tls_reloads_total{outcome=\"failed\"} ", failures)));
  }
  // Neither the key nor any file's content is ever in the log.
  EXPECT_THAT(log_.Text(), Not(HasSubstr("PRIVATE KEY")));
  EXPECT_THAT(log_.Text(), Not(HasSubstr("not one")));
  EXPECT_THAT(log_.Events("tls_files_reloaded"), IsEmpty());

  // Repaired, the next refresh serves it.
  Install("server-v2.pem", "server-v2.key", "ca.pem");
  Refresh();
  EXPECT_EQ(ServedCertificate(), Pki("server-v2.pem"));
  EXPECT_THAT(log_.Events("tls_files_reloaded"), SizeIs(1));
}

}  // namespace
}  // namespace captoken::serve
