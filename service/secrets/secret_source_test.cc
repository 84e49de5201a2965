// Tests for secret_source.h: secrets come from an environment variable or a
// file, one trailing line ending is dropped, every failure has its documented
// code, and no error message ever contains the secret.

#include "service/secrets/secret_source.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace captoken::secrets {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::string_view kAuthToken = "f0e1d2c3b4a5968778695a4b3c2d1e0f";

// A path under the test's private temporary directory.
std::string TempPath(absl::string_view name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return absl::StrCat(dir != nullptr ? dir : "/tmp", "/secret_source_test_",
                      name);
}

// Writes `content` (bytes exactly) to a fresh file and returns its path.
std::string WriteFile(absl::string_view name, absl::string_view content) {
  const std::string path = TempPath(name);
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(content.data(), static_cast<std::streamsize>(content.size()));
  file.close();
  EXPECT_TRUE(file.good()) << path;
  return path;
}

std::string Revealed(const absl::StatusOr<token::Secret>& secret) {
  return std::string(secret->RevealSecretBytes());
}

// ---- environment ---------------------------------------------------------

TEST(ReadSecretFromEnv, ReadsTheVariable) {
  ASSERT_EQ(setenv("CAPTOKEN_TEST_SECRET_SET", kAuthToken.data(), 1), 0);
  absl::StatusOr<token::Secret> secret =
      ReadSecretFromEnv("CAPTOKEN_TEST_SECRET_SET");
  ASSERT_THAT(secret, IsOk());
  EXPECT_EQ(Revealed(secret), kAuthToken);
}

TEST(ReadSecretFromEnv, KeepsATrailingNewlineInTheVariable) {
  ASSERT_EQ(setenv("CAPTOKEN_TEST_SECRET_NEWLINE", "token\n", 1), 0);
  absl::StatusOr<token::Secret> secret =
      ReadSecretFromEnv("CAPTOKEN_TEST_SECRET_NEWLINE");
  ASSERT_THAT(secret, IsOk());
  EXPECT_EQ(Revealed(secret), "token\n");
}

TEST(ReadSecretFromEnv, UnsetVariableIsNotFoundAndNamed) {
  ASSERT_EQ(unsetenv("CAPTOKEN_TEST_SECRET_UNSET"), 0);
  EXPECT_THAT(ReadSecretFromEnv("CAPTOKEN_TEST_SECRET_UNSET"),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("CAPTOKEN_TEST_SECRET_UNSET")));
}

TEST(ReadSecretFromEnv, EmptyVariableIsInvalidAndNamed) {
  ASSERT_EQ(setenv("CAPTOKEN_TEST_SECRET_EMPTY", "", 1), 0);
  EXPECT_THAT(ReadSecretFromEnv("CAPTOKEN_TEST_SECRET_EMPTY"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("CAPTOKEN_TEST_SECRET_EMPTY"),
                             HasSubstr("empty"))));
}

// ---- files -----------------------------------------------------------------

TEST(ReadSecretFromFile, ReadsAFileWithoutLineEnding) {
  const std::string path = WriteFile("plain", kAuthToken);
  absl::StatusOr<token::Secret> secret = ReadSecretFromFile(path);
  ASSERT_THAT(secret, IsOk());
  EXPECT_EQ(Revealed(secret), kAuthToken);
}

TEST(ReadSecretFromFile, DropsOneTrailingNewline) {
  const std::string path = WriteFile("lf", absl::StrCat(kAuthToken, "\n"));
  absl::StatusOr<token::Secret> secret = ReadSecretFromFile(path);
  ASSERT_THAT(secret, IsOk());
  EXPECT_EQ(Revealed(secret), kAuthToken);
}

TEST(ReadSecretFromFile, DropsOneTrailingCarriageReturnNewline) {
  const std::string path = WriteFile("crlf", absl::StrCat(kAuthToken, "\r\n"));
  absl::StatusOr<token::Secret> secret = ReadSecretFromFile(path);
  ASSERT_THAT(secret, IsOk());
  EXPECT_EQ(Revealed(secret), kAuthToken);
}

TEST(ReadSecretFromFile, DropsOnlyOneLineEnding) {
  const std::string path = WriteFile("lflf", "x\n\n");
  absl::StatusOr<token::Secret> secret = ReadSecretFromFile(path);
  ASSERT_THAT(secret, IsOk());
  EXPECT_EQ(Revealed(secret), "x\n");
}

TEST(ReadSecretFromFile, DropsOnlyOneCarriageReturnNewline) {
  const std::string path = WriteFile("crlfcrlf", "x\r\n\r\n");
  absl::StatusOr<token::Secret> secret = ReadSecretFromFile(path);
  ASSERT_THAT(secret, IsOk());
  EXPECT_EQ(Revealed(secret), "x\r\n");
}

TEST(ReadSecretFromFile, KeepsALoneTrailingCarriageReturn) {
  const std::string path = WriteFile("cr", "x\r");
  absl::StatusOr<token::Secret> secret = ReadSecretFromFile(path);
  ASSERT_THAT(secret, IsOk());
  EXPECT_EQ(Revealed(secret), "x\r");
}

TEST(ReadSecretFromFile, KeepsInnerNewlinesAndSpaces) {
  const std::string path = WriteFile("inner", " a\nb \n");
  absl::StatusOr<token::Secret> secret = ReadSecretFromFile(path);
  ASSERT_THAT(secret, IsOk());
  EXPECT_EQ(Revealed(secret), " a\nb ");
}

TEST(ReadSecretFromFile, EmptyFileIsInvalid) {
  const std::string path = WriteFile("empty", "");
  EXPECT_THAT(ReadSecretFromFile(path),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr(path), HasSubstr("empty"))));
}

TEST(ReadSecretFromFile, FileOfOnlyALineEndingIsInvalid) {
  EXPECT_THAT(ReadSecretFromFile(WriteFile("only_lf", "\n")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
  EXPECT_THAT(ReadSecretFromFile(WriteFile("only_crlf", "\r\n")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
}

TEST(ReadSecretFromFile, FileOfExactly4KiBIsRead) {
  const std::string content(4096, 's');
  absl::StatusOr<token::Secret> secret =
      ReadSecretFromFile(WriteFile("4096", content));
  ASSERT_THAT(secret, IsOk());
  EXPECT_EQ(secret->size(), 4096u);
}

TEST(ReadSecretFromFile, FileOver4KiBIsInvalid) {
  const std::string content(4097, 's');
  const std::string path = WriteFile("4097", content);
  EXPECT_THAT(ReadSecretFromFile(path),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr(path), HasSubstr("4 KiB"),
                             Not(HasSubstr("ssss")))));
}

TEST(ReadSecretFromFile, FileOver4KiBIsInvalidEvenWithALineEnding) {
  // 4096 bytes of secret plus "\n" is 4097 bytes: the file is too big, even
  // though the secret itself would fit.
  const std::string content = absl::StrCat(std::string(4096, 's'), "\n");
  EXPECT_THAT(ReadSecretFromFile(WriteFile("4096lf", content)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("4 KiB")));
}

TEST(ReadSecretFromFile, MuchLargerFileIsInvalid) {
  const std::string content(1 << 20, 's');
  EXPECT_THAT(ReadSecretFromFile(WriteFile("1mib", content)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("4 KiB")));
}

TEST(ReadSecretFromFile, MissingFileIsNotFoundAndNamed) {
  const std::string path = TempPath("does_not_exist");
  ::unlink(path.c_str());
  EXPECT_THAT(ReadSecretFromFile(path),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr(path)));
}

TEST(ReadSecretFromFile, UnreadableFileIsPermissionDenied) {
  if (::geteuid() == 0) {
    GTEST_SKIP() << "root can read a file with mode 000";
  }
  const std::string path = WriteFile("unreadable", kAuthToken);
  ASSERT_EQ(::chmod(path.c_str(), 0), 0);
  absl::StatusOr<token::Secret> secret = ReadSecretFromFile(path);
  ::chmod(path.c_str(), 0600);
  EXPECT_THAT(secret, StatusIs(absl::StatusCode::kPermissionDenied,
                               AllOf(HasSubstr(path),
                                     Not(HasSubstr(std::string(kAuthToken))))));
}

TEST(ReadSecretFromFile,
     UnreadableFileIsPermissionDeniedForAnUnprivilegedUser) {
  // Root reads any file, so the check above cannot run as root; here a
  // child process drops to an unprivileged user and reads the file.
  if (::geteuid() != 0) GTEST_SKIP() << "covered by the test above";
  const std::string path = WriteFile("unreadable_nobody", kAuthToken);
  ASSERT_EQ(::chmod(path.c_str(), 0), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(2);
    const absl::Status status = ReadSecretFromFile(path).status();
    const bool good = status.code() == absl::StatusCode::kPermissionDenied &&
                      absl::StrContains(status.message(), path) &&
                      !absl::StrContains(status.ToString(), kAuthToken);
    ::_exit(good ? 0 : 1);
  }
  int wstatus = 0;
  ASSERT_EQ(::waitpid(child, &wstatus, 0), child);
  ::chmod(path.c_str(), 0600);
  ASSERT_TRUE(WIFEXITED(wstatus));
  if (WEXITSTATUS(wstatus) == 2) GTEST_SKIP() << "cannot drop privileges";
  EXPECT_EQ(WEXITSTATUS(wstatus), 0)
      << "expected PERMISSION_DENIED naming the path, without the secret";
}

// A FIFO nobody writes used to block the read (and with it every reload and
// SIGTERM). Run in a child with an alarm, so a regression fails the test
// instead of hanging it.
TEST(ReadSecretFromFile, FifoIsRefusedWithoutBlocking) {
  const std::string path = TempPath("fifo");
  ::unlink(path.c_str());
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::alarm(5);
    const absl::Status status = ReadSecretFromFile(path).status();
    const bool good = status.code() == absl::StatusCode::kFailedPrecondition &&
                      absl::StrContains(status.message(), "not a regular file");
    ::_exit(good ? 0 : 1);
  }
  int wstatus = 0;
  ASSERT_EQ(::waitpid(child, &wstatus, 0), child);
  ::unlink(path.c_str());
  ASSERT_TRUE(WIFEXITED(wstatus)) << "the read blocked (killed by SIGALRM)";
  EXPECT_EQ(WEXITSTATUS(wstatus), 0)
      << "expected FAILED_PRECONDITION: not a regular file";
}

TEST(ReadSecretFromFile, DirectoryAndDeviceAreRefused) {
  const std::string dir = TempPath("a_directory");
  ::mkdir(dir.c_str(), 0700);
  EXPECT_THAT(ReadSecretFromFile(dir),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("not a regular file")));
  // /dev/zero would otherwise read as 4 KiB of zeros.
  EXPECT_THAT(ReadSecretFromFile("/dev/zero"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("not a regular file")));
}

TEST(ReadSecretFromFile, SymlinkToARegularFileIsRead) {
  // How Kubernetes mounts a Secret: ..data/<key> behind a symlink.
  const std::string target = WriteFile("symlink_target", kAuthToken);
  const std::string link = TempPath("symlink");
  ::unlink(link.c_str());
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  absl::StatusOr<token::Secret> secret = ReadSecretFromFile(link);
  ASSERT_THAT(secret, IsOk());
  EXPECT_EQ(Revealed(secret), kAuthToken);
}

// ---- no secret in errors ------------------------------------------------

TEST(SecretSource, NoErrorMessageContainsTheSecret) {
  const std::string secret(kAuthToken);
  std::vector<absl::Status> failures;
  // A file that starts with a secret but is too big.
  failures.push_back(
      ReadSecretFromFile(
          WriteFile("leak_big", absl::StrCat(secret, std::string(4096, 'z'))))
          .status());
  // A file holding a secret that cannot be opened.
  if (::geteuid() != 0) {
    const std::string path = WriteFile("leak_unreadable", secret);
    ASSERT_EQ(::chmod(path.c_str(), 0), 0);
    failures.push_back(ReadSecretFromFile(path).status());
    ::chmod(path.c_str(), 0600);
  }
  for (const absl::Status& status : failures) {
    EXPECT_FALSE(status.ok());
    EXPECT_THAT(status.ToString(), Not(HasSubstr(secret)));
    EXPECT_THAT(status.ToString(), Not(HasSubstr(secret.substr(0, 8))));
  }
}

}  // namespace
}  // namespace captoken::secrets
