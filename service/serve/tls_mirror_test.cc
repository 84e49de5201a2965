// TlsMirror: the files gRPC reads are the mirror's memfds, at paths that
// stay put while Replace swaps their contents.

#include "service/serve/tls_mirror.h"

#include <fcntl.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace captoken::serve {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;
using ::testing::StartsWith;

// Contents that need not load: the mirror holds bytes, LoadTlsFiles checks.
config::TlsFileContents Contents(absl::string_view tag, bool client_ca) {
  return config::TlsFileContents{
      absl::StrCat("certificate ", tag),
      *token::Secret::Create(absl::StrCat("key ", tag)),
      client_ca ? absl::StrCat("client CA ", tag) : std::string()};
}

std::string Read(const std::string& path) {
  return testing::ReadFile(path).value_or("<unreadable>");
}

int DescriptorOf(const std::string& path) {
  return std::stoi(path.substr(std::string("/proc/self/fd/").size()));
}

TEST(TlsMirrorTest, ServesTheContentsFromMemoryAtStablePaths) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TlsMirror> mirror,
                       TlsMirror::Create(Contents("one", true)));
  config::TlsSettings configured;
  configured.certificate_file = "/etc/captoken/tls/tls.crt";
  configured.private_key_file = "/etc/captoken/tls/tls.key";
  configured.client_ca_file = "/etc/captoken/tls/ca.crt";
  configured.crl_directory = "/etc/captoken/crls";
  const config::TlsSettings served = mirror->ServedSettings(configured);
  EXPECT_THAT(served.certificate_file, StartsWith("/proc/self/fd/"));
  EXPECT_EQ(Read(served.certificate_file), "certificate one");
  EXPECT_EQ(Read(served.private_key_file), "key one");
  EXPECT_EQ(Read(served.client_ca_file), "client CA one");
  // gRPC reads the CRLs itself; its refresh is the mirror's.
  EXPECT_EQ(served.crl_directory, "/etc/captoken/crls");
  EXPECT_EQ(served.refresh_interval, TlsMirror::kGrpcRefreshInterval);
  // Never on disk: the descriptors are memfds, not inherited by children.
  for (const std::string& path :
       {served.certificate_file, served.private_key_file,
        served.client_ca_file}) {
    char target[256] = {};
    ASSERT_GT(readlink(path.c_str(), target, sizeof(target) - 1), 0);
    EXPECT_THAT(std::string(target), StartsWith("/memfd:captoken-tls-"));
    EXPECT_NE(fcntl(DescriptorOf(path), F_GETFD) & FD_CLOEXEC, 0);
  }

  ASSERT_THAT(mirror->Replace(Contents("two", true)), IsOk());
  const config::TlsSettings after = mirror->ServedSettings(configured);
  EXPECT_EQ(after.certificate_file, served.certificate_file);
  EXPECT_EQ(after.private_key_file, served.private_key_file);
  EXPECT_EQ(Read(after.certificate_file), "certificate two");
  EXPECT_EQ(Read(after.private_key_file), "key two");
  EXPECT_EQ(Read(after.client_ca_file), "client CA two");
  EXPECT_NE(fcntl(DescriptorOf(after.private_key_file), F_GETFD) & FD_CLOEXEC,
            0);
}

TEST(TlsMirrorTest, HoldsComparesEveryFile) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TlsMirror> mirror,
                       TlsMirror::Create(Contents("one", true)));
  EXPECT_TRUE(mirror->Holds(Contents("one", true)));
  config::TlsFileContents other_key = Contents("one", true);
  other_key.private_key = *token::Secret::Create("key two");
  EXPECT_FALSE(mirror->Holds(other_key));
  config::TlsFileContents other_ca = Contents("one", true);
  other_ca.client_ca = "client CA two";
  EXPECT_FALSE(mirror->Holds(other_ca));
  ASSERT_THAT(mirror->Replace(other_key), IsOk());
  EXPECT_TRUE(mirror->Holds(other_key));
}

TEST(TlsMirrorTest, WithoutAClientCaThereIsNoneToServe) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TlsMirror> mirror,
                       TlsMirror::Create(Contents("one", false)));
  EXPECT_EQ(mirror->ServedSettings({}).client_ca_file, "");
  // The paths gRPC was given are fixed: mutual TLS needs a restart.
  EXPECT_THAT(mirror->Replace(Contents("two", true)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       ::testing::HasSubstr("restart")));
  EXPECT_TRUE(mirror->Holds(Contents("one", false)));
}

TEST(TlsMirrorTest, ClosesItsDescriptorsWhenDestroyed) {
  std::string key_path;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<TlsMirror> mirror,
                         TlsMirror::Create(Contents("one", true)));
    key_path = mirror->ServedSettings({}).private_key_file;
  }
  EXPECT_EQ(fcntl(DescriptorOf(key_path), F_GETFD), -1);
}

}  // namespace
}  // namespace captoken::serve
