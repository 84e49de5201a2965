#include "service/serve/reloader.h"

#include <utility>

namespace captoken::serve {

Reloader::Reloader(std::function<void(Kind)> reload)
    : reload_(std::move(reload)), thread_([this] { Loop(); }) {}

Reloader::~Reloader() {
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
  }
  thread_.join();
}

void Reloader::Request(Kind kind) {
  absl::MutexLock lock(&mutex_);
  pending_ = true;
  if (kind == Kind::kFull) pending_full_ = true;
}

bool Reloader::Stop(absl::Duration timeout) {
  absl::MutexLock lock(&mutex_);
  stopping_ = true;
  auto idle = [this]() ABSL_SHARED_LOCKS_REQUIRED(mutex_) { return !running_; };
  return mutex_.AwaitWithTimeout(absl::Condition(&idle), timeout);
}

void Reloader::Loop() {
  while (true) {
    Kind kind;
    {
      absl::MutexLock lock(&mutex_);
      auto wake = [this]() ABSL_SHARED_LOCKS_REQUIRED(mutex_) {
        return pending_ || stopping_;
      };
      mutex_.Await(absl::Condition(&wake));
      if (stopping_) return;
      kind = pending_full_ ? Kind::kFull : Kind::kNotified;
      pending_ = false;
      pending_full_ = false;
      running_ = true;
    }
    reload_(kind);
    absl::MutexLock lock(&mutex_);
    running_ = false;
  }
}

}  // namespace captoken::serve
