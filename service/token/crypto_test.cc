// Tests for crypto.h: HMAC-SHA256 against RFC 4231 and against OpenSSL's (or
// BoringSSL's) own one-shot HMAC(), SHA-256, the constant-time compare, and
// memory wiping.

#include "service/token/crypto.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace captoken::token {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;
using ::testing::HasSubstr;

// Mac and Sha256Digest are the same type: 32 bytes.
std::string Hex(const HmacSha256Key::Mac& mac) {
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

std::string Bytes(const HmacSha256Key::Mac& mac) {
  return std::string(reinterpret_cast<const char*>(mac.data()), mac.size());
}

// A deterministic byte pattern, so that failures are reproducible.
std::string PatternBytes(size_t length, uint32_t seed) {
  std::string bytes(length, '\0');
  uint32_t state = seed * 2654435761u + 1;
  for (size_t i = 0; i < length; ++i) {
    state = state * 1664525u + 1013904223u;
    bytes[i] = static_cast<char>(state >> 24);
  }
  return bytes;
}

// ---- RFC 4231 -------------------------------------------------------------

struct Rfc4231Case {
  const char* name;
  std::string key;
  std::string data;
  // Expected MAC in hex; case 5 gives only the first 128 bits.
  const char* expected_hex;
};

std::vector<Rfc4231Case> Rfc4231Cases() {
  std::string case4_key;
  for (int i = 1; i <= 25; ++i) case4_key.push_back(static_cast<char>(i));
  return {
      {"case1", std::string(20, '\x0b'), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"case2", "Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {"case3", std::string(20, '\xaa'), std::string(50, '\xdd'),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {"case4", case4_key, std::string(50, '\xcd'),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {"case5", std::string(20, '\x0c'), "Test With Truncation",
       "a3b6167473100ee06e0c796c2955552b"},
      {"case6", std::string(131, '\xaa'),
       "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {"case7", std::string(131, '\xaa'),
       "This is a test using a larger than block-size key and a larger than "
       "block-size data. The key needs to be hashed before being used by the "
       "HMAC algorithm.",
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
}

TEST(HmacSha256Key, MatchesEveryRfc4231TestCase) {
  for (const Rfc4231Case& test_case : Rfc4231Cases()) {
    SCOPED_TRACE(test_case.name);
    ASSERT_OK_AND_ASSIGN(HmacSha256Key key,
                         HmacSha256Key::Create(test_case.key));
    const std::string mac_hex = Hex(key.Compute(test_case.data));
    const std::string expected = test_case.expected_hex;
    // Case 5 is a truncated output: compare its first 16 bytes.
    EXPECT_EQ(mac_hex.substr(0, expected.size()), expected);
  }
}

TEST(HmacSha256Key, Rfc4231KeysOfBlockSizeOrLongerAreHashedFirst) {
  // Cases 6 and 7 use a 131-byte key; RFC 2104 replaces it by its SHA-256.
  const std::string long_key(131, '\xaa');
  const Sha256Digest hashed = Sha256(long_key);
  ASSERT_OK_AND_ASSIGN(HmacSha256Key with_long_key,
                       HmacSha256Key::Create(long_key));
  ASSERT_OK_AND_ASSIGN(
      HmacSha256Key with_hashed_key,
      HmacSha256Key::Create(absl::string_view(
          reinterpret_cast<const char*>(hashed.data()), hashed.size())));
  EXPECT_EQ(Hex(with_long_key.Compute("message")),
            Hex(with_hashed_key.Compute("message")));
}

// ---- against the crypto library's one-shot HMAC() -------------------------

absl::StatusOr<std::string> OneShotHmacSha256(const std::string& key,
                                              const std::string& message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_length = 0;
  // Both OpenSSL and BoringSSL have this exact one-shot function.
  const unsigned char* result =
      HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()),
           message.size(), out, &out_length);
  if (result == nullptr || out_length != 32) {
    return absl::InternalError("HMAC() failed");
  }
  return std::string(reinterpret_cast<const char*>(out), out_length);
}

TEST(HmacSha256Key, AgreesWithTheCryptoLibraryForKeyLengths1To200) {
  const std::string messages_pool = PatternBytes(300, 7);
  for (size_t key_length = 1; key_length <= 200; ++key_length) {
    const std::string secret = PatternBytes(key_length, key_length);
    ASSERT_OK_AND_ASSIGN(HmacSha256Key key, HmacSha256Key::Create(secret));
    for (size_t message_length = 0; message_length <= 300; ++message_length) {
      const std::string message = messages_pool.substr(0, message_length);
      ASSERT_OK_AND_ASSIGN(const std::string theirs,
                           OneShotHmacSha256(secret, message));
      ASSERT_EQ(Bytes(key.Compute(message)), theirs)
          << "key length " << key_length << ", message length "
          << message_length;
    }
  }
}

TEST(HmacSha256Key, AgreesWithTheCryptoLibraryForLongMessages) {
  ASSERT_OK_AND_ASSIGN(HmacSha256Key key, HmacSha256Key::Create("k"));
  for (size_t length : {1000u, 4095u, 4096u, 4097u, 65536u, 1000003u}) {
    const std::string message = PatternBytes(length, 99);
    ASSERT_OK_AND_ASSIGN(const std::string theirs,
                         OneShotHmacSha256("k", message));
    EXPECT_EQ(Bytes(key.Compute(message)), theirs)
        << "message length " << length;
  }
}

TEST(HmacSha256Key, KeyIsTheSecretBytesAsTheyAre) {
  // A hex-looking secret is not hex-decoded (spec §1.1): the key is the 32
  // ASCII bytes.
  const std::string secret = "f0e1d2c3b4a5968778695a4b3c2d1e0f";
  ASSERT_OK_AND_ASSIGN(HmacSha256Key key, HmacSha256Key::Create(secret));
  ASSERT_OK_AND_ASSIGN(const std::string theirs,
                       OneShotHmacSha256(secret, "input"));
  EXPECT_EQ(Bytes(key.Compute("input")), theirs);
  std::string decoded = absl::HexStringToBytes(secret);
  ASSERT_OK_AND_ASSIGN(HmacSha256Key decoded_key,
                       HmacSha256Key::Create(decoded));
  EXPECT_NE(Hex(key.Compute("input")), Hex(decoded_key.Compute("input")));
}

TEST(HmacSha256Key, SecretsWithEmbeddedNulBytesAreNotCutShort) {
  const std::string secret("ab\0cd", 5);
  ASSERT_OK_AND_ASSIGN(HmacSha256Key key, HmacSha256Key::Create(secret));
  ASSERT_OK_AND_ASSIGN(HmacSha256Key prefix, HmacSha256Key::Create("ab"));
  ASSERT_OK_AND_ASSIGN(const std::string theirs,
                       OneShotHmacSha256(secret, "m"));
  EXPECT_EQ(Bytes(key.Compute("m")), theirs);
  EXPECT_NE(Hex(key.Compute("m")), Hex(prefix.Compute("m")));
}

TEST(HmacSha256Key, EmptyKeyIsRejected) {
  EXPECT_THAT(HmacSha256Key::Create(""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("must not be empty")));
  EXPECT_THAT(HmacSha256Key::Create(absl::string_view()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
}

TEST(HmacSha256Key, OneByteKeyIsAccepted) {
  EXPECT_THAT(HmacSha256Key::Create("x"), IsOk());
}

TEST(HmacSha256Key, ComputeIsRepeatableAndDependsOnKeyAndMessage) {
  ASSERT_OK_AND_ASSIGN(HmacSha256Key key, HmacSha256Key::Create("secret"));
  ASSERT_OK_AND_ASSIGN(HmacSha256Key other, HmacSha256Key::Create("secreu"));
  EXPECT_EQ(Hex(key.Compute("message")), Hex(key.Compute("message")));
  EXPECT_NE(Hex(key.Compute("message")), Hex(key.Compute("messagf")));
  EXPECT_NE(Hex(key.Compute("message")), Hex(other.Compute("message")));
  EXPECT_NE(Hex(key.Compute("")), Hex(key.Compute(std::string(1, '\0'))));
}

TEST(HmacSha256Key, MovedKeyKeepsWorking) {
  ASSERT_OK_AND_ASSIGN(HmacSha256Key key, HmacSha256Key::Create("Jefe"));
  const std::string before = Hex(key.Compute("what do ya want for nothing?"));
  HmacSha256Key moved(std::move(key));
  EXPECT_EQ(Hex(moved.Compute("what do ya want for nothing?")), before);
  ASSERT_OK_AND_ASSIGN(HmacSha256Key assigned, HmacSha256Key::Create("x"));
  assigned = std::move(moved);
  EXPECT_EQ(Hex(assigned.Compute("what do ya want for nothing?")), before);
  EXPECT_EQ(before,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256Key, OneKeyUsedFromSeveralThreadsAtOnceGivesTheSameMacs) {
  ASSERT_OK_AND_ASSIGN(
      HmacSha256Key key,
      HmacSha256Key::Create("f0e1d2c3b4a5968778695a4b3c2d1e0f"));
  std::vector<std::string> messages;
  std::vector<std::string> expected;
  for (size_t i = 0; i < 64; ++i) {
    messages.push_back(PatternBytes(i * 7, static_cast<uint32_t>(i)));
    expected.push_back(Bytes(key.Compute(messages.back())));
  }

  constexpr int kThreads = 8;
  constexpr int kRounds = 200;
  std::atomic<int> mismatches{0};
  std::atomic<int> computed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        // Each thread walks the messages from a different starting point.
        for (size_t i = 0; i < messages.size(); ++i) {
          const size_t m = (i + static_cast<size_t>(t) * 5) % messages.size();
          if (Bytes(key.Compute(messages[m])) != expected[m]) ++mismatches;
          ++computed;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_EQ(computed.load(),
            kThreads * kRounds * static_cast<int>(messages.size()));
}

// ---- SHA-256 --------------------------------------------------------------

TEST(Sha256, AbcKnownAnswer) {
  EXPECT_EQ(Hex(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, EmptyInputKnownAnswer) {
  EXPECT_EQ(Hex(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, TwoBlockMessageKnownAnswer) {
  // FIPS 180-2, appendix B.2.
  EXPECT_EQ(
      Hex(Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

// ---- ConstantTimeEquals ---------------------------------------------------

TEST(ConstantTimeEquals, EqualStringsAreEqual) {
  EXPECT_TRUE(ConstantTimeEquals("signature", "signature"));
  const std::string a = PatternBytes(43, 1);
  const std::string b = a;  // A different buffer with the same bytes.
  EXPECT_TRUE(ConstantTimeEquals(a, b));
}

TEST(ConstantTimeEquals, StringsThatDifferInTheFirstByteAreNotEqual) {
  EXPECT_FALSE(ConstantTimeEquals("xignature", "signature"));
}

TEST(ConstantTimeEquals, StringsThatDifferInTheLastByteAreNotEqual) {
  EXPECT_FALSE(ConstantTimeEquals("signaturf", "signature"));
}

TEST(ConstantTimeEquals, StringsThatDifferInOneBitAreNotEqual) {
  const std::string a = PatternBytes(32, 3);
  for (size_t byte = 0; byte < a.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string b = a;
      b[byte] = static_cast<char>(b[byte] ^ (1 << bit));
      EXPECT_FALSE(ConstantTimeEquals(a, b)) << byte << ":" << bit;
    }
  }
}

// Every length up to a few chunks (OpenSSL's fast case is 16 bytes), with
// one bit changed at every position, so every chunk and tail is looked at.
TEST(ConstantTimeEquals, SeesADifferenceAnywhereAtEveryLength) {
  for (size_t length = 1; length <= 70; ++length) {
    const std::string a = PatternBytes(length, 5);
    const std::string same = a;
    ASSERT_TRUE(ConstantTimeEquals(a, same)) << length;
    for (size_t byte = 0; byte < length; ++byte) {
      std::string b = a;
      b[byte] = static_cast<char>(b[byte] ^ 0x10);
      ASSERT_FALSE(ConstantTimeEquals(a, b)) << length << " at " << byte;
    }
  }
}

TEST(ConstantTimeEquals, StringsOfDifferentLengthsAreNotEqual) {
  EXPECT_FALSE(ConstantTimeEquals("signature", "signatur"));
  EXPECT_FALSE(ConstantTimeEquals("signatur", "signature"));
  EXPECT_FALSE(ConstantTimeEquals("signature", "signature="));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_FALSE(ConstantTimeEquals("a", ""));
}

TEST(ConstantTimeEquals, EmptyStringsAreEqual) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals(absl::string_view(), absl::string_view()));
  EXPECT_TRUE(ConstantTimeEquals(absl::string_view(), ""));
}

TEST(ConstantTimeEquals, ComparesEmbeddedNulBytes) {
  EXPECT_TRUE(ConstantTimeEquals(absl::string_view("a\0b", 3),
                                 absl::string_view("a\0b", 3)));
  EXPECT_FALSE(ConstantTimeEquals(absl::string_view("a\0b", 3),
                                  absl::string_view("a\0c", 3)));
}

// ---- WipeMemory -----------------------------------------------------------

TEST(WipeMemory, ZeroesEveryByte) {
  std::string buffer = PatternBytes(100, 5);
  buffer[0] = 'x';
  WipeMemory(buffer.data(), buffer.size());
  EXPECT_EQ(buffer, std::string(100, '\0'));
}

TEST(WipeMemory, WipesOnlyTheGivenRange) {
  std::string buffer = "abcdef";
  WipeMemory(buffer.data() + 1, 3);
  EXPECT_EQ(buffer, std::string("a\0\0\0ef", 6));
}

TEST(WipeMemory, ZeroSizeIsANoOp) {
  std::string buffer = "abc";
  WipeMemory(buffer.data(), 0);
  EXPECT_EQ(buffer, "abc");
  WipeMemory(nullptr, 0);  // Must not crash.
}

}  // namespace
}  // namespace captoken::token
