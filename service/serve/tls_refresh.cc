#include "service/serve/tls_refresh.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "service/config/tls_files.h"

namespace captoken::serve {

void RefreshTlsFiles(const config::TlsSettings& configured, TlsMirror* mirror,
                     observe::ServerMetrics* metrics, observe::Logger* logger) {
  absl::StatusOr<config::TlsFileContents> loaded =
      config::LoadTlsFiles(configured);
  // Touched or rewritten with the same bytes: nothing to do or to say.
  if (loaded.ok() && mirror->Holds(*loaded)) return;
  absl::Status served = loaded.status();
  if (served.ok()) served = mirror->Replace(*loaded);
  metrics->RecordTlsReload(served.ok());
  if (!served.ok()) {
    // The reason names a field and a path, never a file's content.
    logger->Write(
        observe::LogLine(observe::LogLevel::kError, "tls_files_unusable")
            .Add("reason", served.message())
            .Add("kept",
                 "the certificate, key and client CA served until now"));
    return;
  }
  logger->Write(
      observe::LogLine(observe::LogLevel::kInfo, "tls_files_reloaded"));
}

}  // namespace captoken::serve
