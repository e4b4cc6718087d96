#include "sim/core/units.h"

#include <array>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>
#include <utility>

namespace archsim {
namespace {

struct Suffix {
  std::string_view text;
  double factor;
};

constexpr std::array<Suffix, 8> kDurationSuffixes{{{"ns", 1e-9},
                                                   {"us", 1e-6},
                                                   {"\xC2\xB5s", 1e-6},  // µs
                                                   {"ms", 1e-3},
                                                   {"s", 1.0},
                                                   {"min", 60.0},
                                                   {"h", 3600.0},
                                                   {"d", 86400.0}}};
constexpr std::array<Suffix, 10> kSizeSuffixes{{{"B", 1.0},
                                                {"KB", 1e3},
                                                {"MB", 1e6},
                                                {"GB", 1e9},
                                                {"TB", 1e12},
                                                {"PB", 1e15},
                                                {"KiB", 1024.0},
                                                {"MiB", 1048576.0},
                                                {"GiB", 1073741824.0},
                                                {"TiB", 1099511627776.0}}};
// Bandwidth is held in bytes/s (SimGrid's numeric unit); "bps" suffixes are bits.
constexpr std::array<Suffix, 9> kBandwidthSuffixes{{{"bps", 1.0 / 8},
                                                    {"Kbps", 1e3 / 8},
                                                    {"Mbps", 1e6 / 8},
                                                    {"Gbps", 1e9 / 8},
                                                    {"Tbps", 1e12 / 8},
                                                    {"Bps", 1.0},
                                                    {"KBps", 1e3},
                                                    {"MBps", 1e6},
                                                    {"GBps", 1e9}}};
constexpr std::array<Suffix, 5> kCountSuffixes{{{"K", 1e3}, {"M", 1e6}, {"B", 1e9}, {"G", 1e9}, {"T", 1e12}}};
constexpr std::array<Suffix, 6> kRatePerSuffixes{
    {{"s", 1.0}, {"ms", 1e3}, {"us", 1e6}, {"min", 1.0 / 60}, {"h", 1.0 / 3600}, {"day", 1.0 / 86400}}};
constexpr std::array<Suffix, 5> kSpeedSuffixes{{{"f", 1.0}, {"Kf", 1e3}, {"Mf", 1e6}, {"Gf", 1e9}, {"Tf", 1e12}}};

std::string_view trim(std::string_view s)
{
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// Splits "12.5ms" into 12.5 and "ms". Rejects NaN, infinities, hex and empty numbers.
bool split_number(std::string_view text, double& number, std::string_view& rest, std::string* error)
{
  size_t i = 0;
  auto digit = [&](size_t k) { return k < text.size() && text[k] >= '0' && text[k] <= '9'; };
  if (i < text.size() && (text[i] == '-' || text[i] == '+'))
    ++i;
  size_t digits_start = i;
  while (digit(i))
    ++i;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (digit(i))
      ++i;
  }
  if (i == digits_start || (i == digits_start + 1 && text[digits_start] == '.')) {
    if (error)
      *error = text.empty() ? "empty value" : fmt::format("'{}' does not start with a number", text);
    return false;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E') &&
      (digit(i + 1) || ((i + 1 < text.size()) && (text[i + 1] == '-' || text[i + 1] == '+') && digit(i + 2)))) {
    i += 2;
    while (digit(i))
      ++i;
  }
  std::string num(text.substr(0, i));
  errno = 0;
  char* end = nullptr;
  number = std::strtod(num.c_str(), &end);
  if (errno == ERANGE || !std::isfinite(number)) {
    if (error)
      *error = fmt::format("'{}' is out of range", num);
    return false;
  }
  rest = trim(text.substr(i));
  return true;
}

template <size_t N>
std::optional<double> apply_suffix(double number, std::string_view suffix, const std::array<Suffix, N>& table,
                                   Unit unit, std::string* error)
{
  for (const auto& s : table)
    if (s.text == suffix)
      return number * s.factor;
  if (error) {
    if (suffix.empty())
      *error = "a bare number needs a unit";
    else
      *error = fmt::format("unknown {} unit '{}'", unit_name(unit), suffix);
  }
  return std::nullopt;
}

std::optional<double> parse_rate(double number, std::string_view rest, std::string* error)
{
  // "10K/s": the multiplier sits between the number and the slash.
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) {
    if (error)
      *error = rest.empty() ? "a rate needs a time base such as /s" : fmt::format("'{}' is not a rate unit", rest);
    return std::nullopt;
  }
  std::string_view mult = trim(rest.substr(0, slash));
  std::string_view per  = trim(rest.substr(slash + 1));
  double factor         = 1.0;
  if (!mult.empty()) {
    auto m = apply_suffix(1.0, mult, kCountSuffixes, Unit::Count, error);
    if (!m)
      return std::nullopt;
    factor = *m;
  }
  for (const auto& s : kRatePerSuffixes)
    if (s.text == per)
      return number * factor * s.factor;
  if (error)
    *error = fmt::format("unknown time base '/{}' (use /s, /ms, /min, /h or /day)", per);
  return std::nullopt;
}

}  // namespace

std::optional<double> parse_quantity(std::string_view raw, Unit unit, std::string* error)
{
  std::string_view text = trim(raw);
  double number         = 0;
  std::string_view rest;
  if (!split_number(text, number, rest, error))
    return std::nullopt;
  switch (unit) {
    case Unit::Duration:
      return apply_suffix(number, rest, kDurationSuffixes, unit, error);
    case Unit::Size:
      return apply_suffix(number, rest, kSizeSuffixes, unit, error);
    case Unit::Bandwidth:
      return apply_suffix(number, rest, kBandwidthSuffixes, unit, error);
    case Unit::Speed:
      return apply_suffix(number, rest, kSpeedSuffixes, unit, error);
    case Unit::Rate:
      return parse_rate(number, rest, error);
    case Unit::Count:
      if (rest.empty())
        return number;
      return apply_suffix(number, rest, kCountSuffixes, unit, error);
    case Unit::Fraction:
      if (rest == "%")
        return number / 100.0;
      if (rest.empty())
        return number;
      if (error)
        *error = fmt::format("unknown fraction unit '{}' (use a number such as 0.05 or a percentage such as 5%)", rest);
      return std::nullopt;
    case Unit::Number:
      if (rest.empty())
        return number;
      if (error)
        *error = fmt::format("unexpected unit '{}' on a plain number", rest);
      return std::nullopt;
  }
  return std::nullopt;
}

std::string unit_name(Unit unit)
{
  switch (unit) {
    case Unit::Duration:
      return "duration";
    case Unit::Size:
      return "size";
    case Unit::Bandwidth:
      return "bandwidth";
    case Unit::Rate:
      return "rate";
    case Unit::Count:
      return "count";
    case Unit::Fraction:
      return "fraction";
    case Unit::Speed:
      return "speed";
    case Unit::Number:
      return "number";
  }
  return "quantity";
}

std::string unit_expectation(Unit unit)
{
  switch (unit) {
    case Unit::Duration:
      return "a duration such as 50us, 2ms or 1.5s";
    case Unit::Size:
      return "a size such as 512B, 4KB or 2GiB";
    case Unit::Bandwidth:
      return "a bandwidth such as 1Gbps or 125MBps";
    case Unit::Rate:
      return "a rate such as 10000/s, 10K/s or 1B/day";
    case Unit::Count:
      return "a count such as 64, 100K or 1B";
    case Unit::Fraction:
      return "a fraction such as 0.05 or 5%";
    case Unit::Speed:
      return "a CPU speed such as 1Gf";
    case Unit::Number:
      return "a number";
  }
  return "a quantity";
}

namespace {
template <size_t N>
std::string format_scaled(double value, const std::array<Suffix, N>& ladder)
{
  if (value == 0)
    return fmt::format("0{}", ladder[0].text);
  const Suffix* best = &ladder[0];
  for (const auto& s : ladder)
    if (std::fabs(value) >= s.factor * (1 - 1e-12))
      best = &s;
  return fmt::format("{:.3g}{}", value / best->factor, best->text);
}
}  // namespace

std::string format_duration(double seconds)
{
  static constexpr std::array<Suffix, 5> ladder{{{"ns", 1e-9}, {"us", 1e-6}, {"ms", 1e-3}, {"s", 1.0}, {"h", 3600.0}}};
  if (seconds >= 60 && seconds < 3600)
    return fmt::format("{:.3g}s", seconds);
  return format_scaled(seconds, ladder);
}

std::string format_size(double bytes)
{
  static constexpr std::array<Suffix, 6> ladder{{{"B", 1.0}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"PB", 1e15}}};
  return format_scaled(bytes, ladder);
}

std::string format_rate(double per_second)
{
  static constexpr std::array<Suffix, 4> ladder{{{"/s", 1.0}, {"K/s", 1e3}, {"M/s", 1e6}, {"B/s", 1e9}}};
  return format_scaled(per_second, ladder);
}

std::string format_count(double count)
{
  if (std::fabs(count) >= 1e15)
    return fmt::format("{:.3g}", count);
  static constexpr std::array<Suffix, 5> ladder{{{"", 1.0}, {"K", 1e3}, {"M", 1e6}, {"B", 1e9}, {"T", 1e12}}};
  if (std::fabs(count) < 1e4 && count == std::floor(count))
    return fmt::format("{}", static_cast<long long>(count));
  return format_scaled(count, ladder);
}

std::string format_quantity(double value, Unit unit)
{
  switch (unit) {
    case Unit::Duration:
      return format_duration(value);
    case Unit::Size:
      return format_size(value);
    case Unit::Bandwidth: {
      static constexpr std::array<Suffix, 5> ladder{
          {{"bps", 1.0 / 8}, {"Kbps", 1e3 / 8}, {"Mbps", 1e6 / 8}, {"Gbps", 1e9 / 8}, {"Tbps", 1e12 / 8}}};
      return format_scaled(value, ladder);
    }
    case Unit::Rate:
      return format_rate(value);
    case Unit::Count:
      return format_count(value);
    case Unit::Fraction:
      return fmt::format("{:.4g}%", value * 100);
    case Unit::Speed: {
      static constexpr std::array<Suffix, 5> ladder{{{"f", 1.0}, {"Kf", 1e3}, {"Mf", 1e6}, {"Gf", 1e9}, {"Tf", 1e12}}};
      return format_scaled(value, ladder);
    }
    case Unit::Number:
      return fmt::format("{:g}", value);
  }
  return fmt::format("{:g}", value);
}

}  // namespace archsim
