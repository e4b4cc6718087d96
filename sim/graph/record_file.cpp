#include "sim/graph/record_file.h"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <fstream>

namespace archsim {

SourceLoc Record::loc(size_t field) const
{
  return {*file, line, field < cols.size() ? cols[field] : 1};
}

bool for_each_record(const std::string& path, Diagnostics& diags, const std::function<bool(const Record&)>& fn,
                     size_t max_errors)
{
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error({path, 0, 0}, "", fmt::format("cannot open the file: {}", std::strerror(errno)));
    return false;
  }
  const size_t errors_before = diags.items().size();
  Record rec;
  rec.file = &path;
  std::string line;
  while (std::getline(in, line)) {
    ++rec.line;
    if (const size_t hash = line.find('#'); hash != std::string::npos)
      line.resize(hash);
    rec.fields.clear();
    rec.cols.clear();
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i])))
        ++i;
      const size_t start = i;
      while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i])))
        ++i;
      if (i > start) {
        rec.fields.emplace_back(line.data() + start, i - start);
        rec.cols.push_back(static_cast<int>(start) + 1);
      }
    }
    if (rec.fields.empty())
      continue;
    if (!fn(rec))
      break;
    if (diags.items().size() - errors_before >= max_errors) {
      diags.error({path, rec.line, 1}, "", fmt::format("too many errors; stopped reading after line {}", rec.line));
      break;
    }
  }
  if (in.bad()) {
    diags.error({path, rec.line, 0}, "", "read error");
    return false;
  }
  return true;
}

std::optional<uint64_t> record_uint(const Record& r, size_t i, const std::string& what, uint64_t max,
                                    Diagnostics& diags)
{
  const std::string_view f = r.fields[i];
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
  if (ec != std::errc() || end != f.data() + f.size() || v > max) {
    diags.error(r.loc(i), "", fmt::format("expected {} (a whole number from 0 to {}), got '{}'", what, max, f));
    return std::nullopt;
  }
  return v;
}

std::optional<double> record_number(const Record& r, size_t i, const std::string& what, double min, double max,
                                    Diagnostics& diags)
{
  const std::string text(r.fields[i]);
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(v) || v < min || v > max) {
    diags.error(r.loc(i), "", fmt::format("expected {} (a number from {} to {}), got '{}'", what, min, max, text));
    return std::nullopt;
  }
  return v;
}

bool record_arity(const Record& r, size_t min_fields, size_t max_fields, const std::string& form,
                  Diagnostics& diags)
{
  const size_t n = r.fields.size();
  if (n >= min_fields && n <= max_fields)
    return true;
  const size_t at = n > max_fields ? max_fields : 0;
  diags.error(r.loc(at), "", fmt::format("expected '{}', got {} field{}", form, n, n == 1 ? "" : "s"));
  return false;
}

}  // namespace archsim
