#include "analysis/sweep_values.h"

#include <cmath>
#include <cstdlib>
#include <fmt/format.h>

namespace archsim {

namespace {

// "80000/s" -> (80000, "/s"); nullopt when it does not start with a number.
std::optional<std::pair<double, std::string>> split_number(const std::string& text)
{
  const char* begin = text.c_str();
  char* end         = nullptr;
  double v          = std::strtod(begin, &end);
  if (end == begin || !std::isfinite(v))
    return std::nullopt;
  return std::make_pair(v, std::string(end));
}

std::string format_value(double v, const std::string& suffix)
{
  return fmt::format("{:g}{}", v, suffix);
}

}  // namespace

std::optional<SweepParam> parse_sweep_param(const std::string& text, std::string& error)
{
  const std::string forms = "PATH=A,B,C or PATH=A..B:xK or PATH=A..B:+K (e.g. workload.read.rate=1000/s..64000/s:x2)";
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    error = fmt::format("expected {}, got '{}'", forms, text);
    return std::nullopt;
  }
  SweepParam p;
  p.axis.path      = text.substr(0, eq);
  std::string rest = text.substr(eq + 1);
  auto dots        = rest.find("..");
  if (dots == std::string::npos) {
    size_t start = 0;
    while (start <= rest.size()) {
      size_t comma      = rest.find(',', start);
      std::string value = rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      auto n            = split_number(value);
      if (value.empty() || !n) {
        error = fmt::format("{}: expected a list of values starting with a number, got '{}'", p.axis.path, value);
        return std::nullopt;
      }
      p.axis.values.push_back(value);
      p.numbers.push_back(n->first);
      if (comma == std::string::npos)
        break;
      start = comma + 1;
    }
  } else {
    auto colon = rest.find(':', dots);
    auto a     = split_number(rest.substr(0, dots));
    auto b     = split_number(rest.substr(dots + 2, colon == std::string::npos ? std::string::npos : colon - dots - 2));
    if (!a || !b || colon == std::string::npos || colon + 2 > rest.size() ||
        (rest[colon + 1] != 'x' && rest[colon + 1] != '+')) {
      error = fmt::format("{}: expected A..B:xK or A..B:+K, got '{}'", p.axis.path, rest);
      return std::nullopt;
    }
    if (!b->second.empty() && b->second != a->second) {
      error = fmt::format("{}: the range ends must have the same unit, got '{}' and '{}'", p.axis.path, a->second,
                          b->second);
      return std::nullopt;
    }
    bool multiply = rest[colon + 1] == 'x';
    auto k        = split_number(rest.substr(colon + 2));
    if (!k || !k->second.empty() || (multiply ? k->first <= 1 : k->first <= 0) || a->first > b->first ||
        (multiply && a->first <= 0)) {
      error = fmt::format("{}: expected A <= B and a step {} (got '{}')", p.axis.path,
                          multiply ? "factor K > 1 with A > 0" : "K > 0", rest);
      return std::nullopt;
    }
    for (double v = a->first; v <= b->first * (1 + 1e-9); v = multiply ? v * k->first : v + k->first) {
      if (p.numbers.size() >= kMaxSweepPoints)
        break;
      p.axis.values.push_back(format_value(v, a->second));
      p.numbers.push_back(v);
    }
  }
  if (p.numbers.size() >= kMaxSweepPoints) {
    error = fmt::format("{}: at most {} values per swept parameter", p.axis.path, kMaxSweepPoints - 1);
    return std::nullopt;
  }
  return p;
}

}  // namespace archsim
