// File: tls_refresh.h
// -----------------------------------------------------------------------------
//
// RefreshTlsFiles is what a change to the TLS files does: it loads the
// configured certificate, key and client CA together (config/tls_files.h)
// and, if they load and differ from what is served, puts them in the
// mirror that gRPC reads (tls_mirror.h). Files that do not load (garbage,
// a key that does not match the certificate, a half-written renewal)
// change nothing: the previous set keeps being served, and the failure is
// logged and counted. ServingProcess runs it from a FileWatcher on the
// three files, every transport.tls.refresh_interval.
//
// Each change is counted (captoken_tls_reloads_total) and logged:
//   {"event":"tls_files_reloaded"}
//   {"event":"tls_files_unusable","reason":"transport.tls.private_key_file
//     /etc/...: does not match the certificate in certificate_file",
//     "kept":"the certificate, key and client CA served until now"}
//
// Example:
//
//   RefreshTlsFiles(*settings.tls, mirror.get(), &metrics, &logger);

#ifndef CAPTOKEN_SERVICE_SERVE_TLS_REFRESH_H_
#define CAPTOKEN_SERVICE_SERVE_TLS_REFRESH_H_

#include "service/config/server_config.h"
#include "service/observe/log.h"
#include "service/observe/metrics.h"
#include "service/serve/tls_mirror.h"

namespace captoken::serve {

// `configured` names the files as the config does; none is owned.
void RefreshTlsFiles(const config::TlsSettings& configured, TlsMirror* mirror,
                     observe::ServerMetrics* metrics, observe::Logger* logger);

}  // namespace captoken::serve

#endif  // CAPTOKEN_SERVICE_SERVE_TLS_REFRESH_H_
