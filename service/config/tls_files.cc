#include "service/config/tls_files.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "service/secrets/secret_source.h"
#include "service/token/crypto.h"
#include "service/token/secret.h"
#include "service/token/status_macros.h"

namespace captoken::config {
namespace {

// A certificate chain or a CA bundle larger than this is the wrong file.
constexpr size_t kMaxTlsFileBytes = 1024 * 1024;

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Bio = std::unique_ptr<BIO, BioFree>;
using Certificate = std::unique_ptr<X509, X509Free>;
using PrivateKey = std::unique_ptr<EVP_PKEY, KeyFree>;

absl::Status Unusable(absl::string_view field, absl::string_view path,
                      absl::string_view problem) {
  // OpenSSL's queue would otherwise carry this failure into gRPC's next
  // handshake error.
  ERR_clear_error();
  return absl::InvalidArgumentError(
      absl::StrCat("transport.tls.", field, " ", path, ": ", problem));
}

Bio MemoryBio(const token::Secret& content) {
  const absl::string_view bytes = content.RevealSecretBytes();
  return Bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

absl::StatusOr<token::Secret> ReadTlsFile(absl::string_view field,
                                          absl::string_view path) {
  return secrets::ReadSensitiveFile(path, absl::StrCat("transport.tls.", field),
                                    kMaxTlsFileBytes);
}

// The file's first certificate; `*content` receives the file's bytes.
absl::StatusOr<Certificate> FirstCertificate(absl::string_view field,
                                             absl::string_view path,
                                             std::string* content) {
  CAPTOKEN_ASSIGN_OR_RETURN(token::Secret bytes, ReadTlsFile(field, path));
  Bio bio = MemoryBio(bytes);
  Certificate certificate(
      bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (certificate == nullptr) {
    return Unusable(field, path, "holds no PEM certificate");
  }
  // Certificates are public: an ordinary string may hold them.
  const absl::string_view text = bytes.RevealSecretBytes();
  content->assign(text.data(), text.size());
  return certificate;
}

}  // namespace

bool TlsFileContents::SameAs(const TlsFileContents& other) const {
  return certificate_chain == other.certificate_chain &&
         client_ca == other.client_ca &&
         token::ConstantTimeEquals(private_key.RevealSecretBytes(),
                                   other.private_key.RevealSecretBytes());
}

absl::StatusOr<TlsFileContents> LoadTlsFiles(const TlsSettings& tls) {
  std::string certificate_chain;
  CAPTOKEN_ASSIGN_OR_RETURN(
      Certificate certificate,
      FirstCertificate("certificate_file", tls.certificate_file,
                       &certificate_chain));
  CAPTOKEN_ASSIGN_OR_RETURN(
      token::Secret private_key,
      ReadTlsFile("private_key_file", tls.private_key_file));
  {
    Bio bio = MemoryBio(private_key);
    PrivateKey key(
        bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
            : nullptr);
    if (key == nullptr) {
      return Unusable("private_key_file", tls.private_key_file,
                      "holds no PEM private key");
    }
    if (X509_check_private_key(certificate.get(), key.get()) != 1) {
      return Unusable("private_key_file", tls.private_key_file,
                      "does not match the certificate in certificate_file");
    }
  }
  std::string client_ca;
  if (!tls.client_ca_file.empty()) {
    CAPTOKEN_RETURN_IF_ERROR(
        FirstCertificate("client_ca_file", tls.client_ca_file, &client_ca)
            .status());
  }
  ERR_clear_error();
  return TlsFileContents{std::move(certificate_chain), std::move(private_key),
                         std::move(client_ca)};
}

}  // namespace captoken::config
