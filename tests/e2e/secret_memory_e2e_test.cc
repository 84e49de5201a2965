// After an auth token is rotated out, no copy of it may stay in the server
// process: not its bytes, and not the prepared HMAC key made from it (the
// SHA-256 states after the key's inner and outer pads, which sign as well as
// the key itself). The test proves it the hard way: it reads the running
// server's whole memory through /proc/PID/maps and /proc/PID/mem.
//
// Reading another process's memory needs ptrace rights over it, and the
// server makes itself non-dumpable when it holds real secrets, so only root
// can: the test is skipped for anyone else (CI runs as root).

#define OPENSSL_SUPPRESS_DEPRECATED

#include <fcntl.h>
#include <openssl/sha.h>
#include <signal.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "captoken/v1/capability.pb.h"
#include "client/cpp/token_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/server_process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace captoken {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::ServerOptions;
using ::captoken::testing::ServerProcess;

constexpr char kAccount[] = "AC0123456789abcdef0123456789abcdef";

// How long after a reload a replaced secret may still be in memory: the
// last call that read the old state must finish. docs/security.md states it.
constexpr absl::Duration kReleaseBound = absl::Seconds(1);

// A secret no binary or library can contain by chance.
std::string DistinctiveSecret(absl::string_view label) {
  std::random_device random;
  std::string bytes(16, '\0');
  for (char& byte : bytes) byte = static_cast<char>(random());
  return absl::StrCat("captoken-", label, "-", absl::BytesToHexString(bytes));
}

// The 32 bytes of a SHA-256 state after one block of `key` XOR `pad`, as
// OpenSSL keeps them in memory (HmacSha256Key's prepared inner or outer
// state; the key is shorter than a block, so it is used as is).
std::string PreparedState(absl::string_view key, uint8_t pad) {
  uint8_t block[SHA256_CBLOCK] = {};
  std::memcpy(block, key.data(), key.size());
  for (uint8_t& byte : block) byte ^= pad;
  SHA256_CTX context;
  SHA256_Init(&context);
  SHA256_Update(&context, block, sizeof(block));
  return std::string(reinterpret_cast<const char*>(context.h),
                     sizeof(context.h));
}

struct Needle {
  std::string name;
  std::string bytes;
};

// The names of the needles found anywhere in `pid`'s readable memory.
std::vector<std::string> FindInProcessMemory(
    pid_t pid, const std::vector<Needle>& needles) {
  std::vector<std::string> found;
  std::ifstream maps(absl::StrCat("/proc/", pid, "/maps"));
  const int mem =
      ::open(absl::StrCat("/proc/", pid, "/mem").c_str(), O_RDONLY | O_CLOEXEC);
  EXPECT_GE(mem, 0) << "cannot open /proc/" << pid << "/mem";
  if (mem < 0) return found;
  std::string line;
  std::string region;
  while (std::getline(maps, line)) {
    // "start-end perms offset dev inode path"
    const std::vector<absl::string_view> fields =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (fields.size() < 2 || fields[1][0] != 'r') continue;
    if (fields.size() >= 6 && fields[5] == "[vvar]") continue;
    const std::vector<absl::string_view> range = absl::StrSplit(fields[0], '-');
    uint64_t start = 0;
    uint64_t end = 0;
    if (range.size() != 2 || !absl::SimpleHexAtoi(range[0], &start) ||
        !absl::SimpleHexAtoi(range[1], &end) || end <= start) {
      continue;
    }
    // Reservations of a gigabyte or more are not the server's data but
    // address space (AddressSanitizer's shadow, terabytes of it, when the
    // suite runs under --config=asan): reading them would take hours.
    if (end - start >= (uint64_t{1} << 30)) continue;
    region.resize(end - start);
    size_t size = 0;
    while (size < region.size()) {
      const ssize_t n = ::pread(mem, region.data() + size, region.size() - size,
                                static_cast<off_t>(start + size));
      if (n <= 0) break;
      size += static_cast<size_t>(n);
    }
    const absl::string_view read(region.data(), size);
    for (const Needle& needle : needles) {
      if (absl::StrContains(read, needle.bytes)) found.push_back(needle.name);
    }
  }
  ::close(mem);
  return found;
}

std::vector<Needle> NeedlesFor(const std::string& secret) {
  return {{"the raw secret", secret},
          {"the prepared inner HMAC state", PreparedState(secret, 0x36)},
          {"the prepared outer HMAC state", PreparedState(secret, 0x5c)}};
}

TEST(SecretMemory, ARotatedOutAuthTokenLeavesNoCopyInTheServer) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "reading the server's memory needs root";
  }
  const std::string old_secret = DistinctiveSecret("old");
  const std::string new_secret = DistinctiveSecret("new");
  const std::string secret_file = testing::TempPath("auth-token");
  ASSERT_THAT(testing::WriteFile(secret_file, old_secret), IsOk());
  ServerOptions options;
  options.config =
      absl::StrCat("accounts { account_sid: \"", kAccount,
                   "\" auth_token { file: \"", secret_file, "\" } }\n");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<ServerProcess> server,
                       ServerProcess::Start(options));
  const pid_t pid = server->process().pid();

  v1::CapabilityRequest request;
  request.set_account_sid(kAccount);
  request.add_scopes()->mutable_client_incoming()->set_client_name("alice");
  // Calls on several connections at once, so that several of the server's
  // threads read the old state.
  auto mint_from_threads = [&] {
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t) {
      threads.emplace_back([&] {
        auto client = client::TokenClient::Create(server->target()).value();
        for (int i = 0; i < 20; ++i) {
          EXPECT_THAT(client->MintCapabilityToken(request), IsOk());
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
  };
  mint_from_threads();

  // The scan works: the key in use is found, prepared.
  const std::vector<std::string> before =
      FindInProcessMemory(pid, NeedlesFor(old_secret));
  EXPECT_THAT(before, ::testing::Contains("the prepared inner HMAC state"));
  EXPECT_THAT(before, ::testing::Contains("the prepared outer HMAC state"));

  // Rotate, and let the server go quiet.
  ASSERT_THAT(testing::WriteFile(secret_file, new_secret), IsOk());
  server->process().Signal(SIGHUP);
  ASSERT_TRUE(server->WaitForLogEvent("reloaded")) << server->Output();
  mint_from_threads();
  absl::SleepFor(kReleaseBound);

  EXPECT_THAT(FindInProcessMemory(pid, NeedlesFor(old_secret)),
              ::testing::IsEmpty())
      << "a copy of the rotated-out auth token is still in the server";
  // The new key is there, so the scan still reads what it should.
  EXPECT_THAT(FindInProcessMemory(pid, NeedlesFor(new_secret)),
              ::testing::Contains("the prepared inner HMAC state"));
}

}  // namespace
}  // namespace captoken
