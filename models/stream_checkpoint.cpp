#include "models/stream_checkpoint.h"

#include <utility>

namespace archsim::stream {

bool CheckpointLog::begin(Snapshot s, size_t parts)
{
  if (pending_)
    return false;
  s.number   = ++taken_;
  remaining_ = parts;
  pending_   = std::move(s);
  if (remaining_ == 0) {
    completed_ = std::move(pending_);
    pending_.reset();
  }
  return true;
}

bool CheckpointLog::part_done(uint64_t number)
{
  if (!pending_ || pending_->number != number || remaining_ == 0)
    return false;
  if (--remaining_ > 0)
    return false;
  completed_ = std::move(pending_);
  pending_.reset();
  return true;
}

}  // namespace archsim::stream
