// File: allocator.h
// -----------------------------------------------------------------------------
//
// The serving binaries link TCMalloc (//bazel:malloc) except under the
// sanitizers, which bring their own allocator. ConfigureAllocator applies
// the one TCMalloc setting the server needs; ConfigureServingProcess
// (token_server.h) calls it.
//
// Why a setting at all: TCMalloc lets each thread cache freed objects, up to
// 32 MB across all threads by default. A server's handler threads fill
// their caches over the first hundreds of thousands of calls, so resident
// memory kept rising long after warm-up (+22% between the 10,000th and the
// 1,000,000th request, against +2% with this cap; docs/performance.md).
// A call frees what the next call on its thread allocates, so a small cache
// keeps the speed.

#ifndef CAPTOKEN_SERVICE_ALLOCATOR_H_
#define CAPTOKEN_SERVICE_ALLOCATOR_H_

#include <cstddef>

namespace captoken::service {

// The cap on the bytes all of TCMalloc's thread caches hold together.
inline constexpr size_t kMaxThreadCacheBytes = size_t{2} << 20;

// ConfigureAllocator caps TCMalloc's thread caches at kMaxThreadCacheBytes
// if this binary's allocator is TCMalloc; returns whether it is.
bool ConfigureAllocator();

}  // namespace captoken::service

#endif  // CAPTOKEN_SERVICE_ALLOCATOR_H_
