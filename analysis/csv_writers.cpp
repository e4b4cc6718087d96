#include "analysis/csv_writers.h"

#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

#include "analysis/result_json.h"
#include "sim/core/log_histogram.h"

namespace archsim {

using nlohmann::json;

namespace {

// RFC 4180 quoting, only where needed (names are normally identifiers).
std::string csv_field(const std::string& s)
{
  if (s.find_first_of(",\"\n\r") == std::string::npos)
    return s;
  std::string out = "\"";
  for (char ch : s)
    out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

std::string csv_number(const json& v)
{
  if (v.is_number_integer() || v.is_number_unsigned())
    return v.dump();
  if (v.is_number_float())
    return fmt::format("{}", v.get<double>());  // shortest round-trip form
  return "";
}

// One series block: subject -> {series name -> [values per window]}.
void append_window(std::string& out, const std::string& t, size_t k, const json& subjects)
{
  if (!subjects.is_object())
    return;
  for (const auto& [subject, series] : subjects.items()) {
    if (!series.is_object())
      continue;
    for (const auto& [name, values] : series.items())
      if (values.is_array() && k < values.size())
        out += fmt::format("{},{},{},{}\n", t, csv_field(name), csv_field(subject), csv_number(values[k]));
  }
}

}  // namespace

std::string timeseries_csv(const json& result)
{
  std::string out  = "t,series,subject,value\n";
  const json& ts   = object_at(result, "timeseries");
  const json& t    = array_at(ts, "t");
  for (size_t k = 0; k < t.size(); ++k) {
    std::string tk = csv_number(t[k]);
    append_window(out, tk, k, object_at(ts, "classes"));
    append_window(out, tk, k, object_at(ts, "components"));
  }
  return out;
}

std::string latency_csv(const json& result)
{
  std::string out = "class,lower_s,upper_s,count,cumulative_fraction\n";
  for (const auto& c : array_at(result, "classes")) {
    std::string name = text_at(c, "name");
    if (!c.contains("histogram") || c["histogram"].is_null())
      continue;
    LogHistogram h;
    try {
      h = LogHistogram::from_json(c["histogram"]);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(fmt::format("class '{}': {}", name, e.what()));
    }
    if (h.count() == 0)
      continue;
    // Bucket i is (gamma^(i-1), gamma^i] (log_histogram.h). The upper bound is computed the way
    // LogHistogram computes the next bucket's lower bound, so adjacent rows share a bound exactly.
    const double e         = h.relative_error();
    const double log_gamma = std::log((1 + e) / (1 - e));
    uint64_t cumulative    = 0;
    for (const auto& [lower, count] : h.buckets()) {
      cumulative += count;
      const double index = std::round(std::log(lower) / log_gamma) + 1;
      out += fmt::format("{},{},{},{},{}\n", csv_field(name), lower, std::exp(index * log_gamma), count,
                         static_cast<double>(cumulative) / static_cast<double>(h.count()));
    }
  }
  return out;
}

}  // namespace archsim
