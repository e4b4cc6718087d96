#include "sim/core/diagnostics.h"

#include <fmt/format.h>

namespace archsim {

std::string SourceLoc::str() const
{
  if (line <= 0)
    return file;
  return fmt::format("{}:{}:{}", file, line, col);
}

std::string Diagnostic::str() const
{
  if (path.empty())
    return fmt::format("{}: error: {}", loc.str(), message);
  return fmt::format("{}: error: {}: {}", loc.str(), path, message);
}

void Diagnostics::error(const SourceLoc& loc, const std::string& path, const std::string& message)
{
  if (items_.size() >= kMaxErrors) {
    ++dropped_;
    return;
  }
  items_.push_back({loc, path, message});
}

std::string Diagnostics::str() const
{
  std::string out;
  for (const auto& d : items_)
    out += d.str() + "\n";
  if (dropped_ > 0)
    out += fmt::format("... and {} more errors\n", dropped_);
  return out;
}

}  // namespace archsim
