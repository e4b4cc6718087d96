#include "analysis/run_plots.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "analysis/result_json.h"

namespace archsim {

using nlohmann::json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<double> values_of(const json& array)
{
  std::vector<double> out;
  if (array.is_array())
    for (const auto& v : array)
      out.push_back(v.is_number() && std::isfinite(v.get<double>()) ? v.get<double>() : kNaN);
  return out;
}

// Window middles: a window's value is its average, so it is drawn at its centre. The last
// window may be cut short by the end of the run.
std::vector<double> window_middles(const json& result)
{
  const json& ts  = object_at(result, "timeseries");
  double window   = number_or(ts, "window", 1);
  double duration = number_or(object_at(result, "run"), "duration", std::numeric_limits<double>::infinity());
  std::vector<double> out;
  for (double t : values_of(array_at(ts, "t")))
    out.push_back(t + std::max(0.0, std::min(window, duration - t)) / 2);
  return out;
}

svg::LinePlot time_frame(const json& result, const std::string& title, const std::string& y_label, Unit unit)
{
  svg::LinePlot p;
  p.title   = title;
  p.x.label = "simulated time";
  p.x.unit  = Unit::Duration;
  p.x.min   = 0;
  if (auto d = number_at(object_at(result, "run"), "duration"))
    p.x.max = *d;
  p.y.label = y_label;
  p.y.unit  = unit;
  p.shades  = run_shades(result);
  return p;
}

bool has_value(const svg::Series& s, bool nonzero)
{
  for (double v : s.y)
    if (std::isfinite(v) && (!nonzero || v != 0))
      return true;
  return false;
}

bool ends_with(const std::string& s, const std::string& tail)
{
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// Per class: the class's series `name`, coloured by the class's position in the result.
void class_series(const json& result, const std::string& name, svg::LinePlot& p)
{
  const json& ts         = object_at(object_at(result, "timeseries"), "classes");
  std::vector<double> xs = window_middles(result);
  int index              = 0;
  for (const auto& c : array_at(result, "classes")) {
    std::string cls = text_at(c, "name");
    svg::Series s{cls, xs, values_of(array_at(object_at(ts, cls), name)), false, false, false, index++};
    s.x.resize(std::min(s.x.size(), s.y.size()));
    if (has_value(s, false))
      p.series.push_back(std::move(s));
  }
}

void component_series(const json& result, TimePlot what, svg::LinePlot& p)
{
  const json& ts         = object_at(object_at(result, "timeseries"), "components");
  std::vector<double> xs = window_middles(result);
  int index              = 0;
  for (const auto& comp : array_at(result, "components")) {
    std::string name     = text_at(comp, "name");
    const json& series   = object_at(ts, name);
    std::vector<std::pair<std::string, std::string>> picked;  // (series key, label)
    if (what == TimePlot::Utilisation) {
      if (series.contains("utilisation"))
        picked.emplace_back("utilisation", name);
      else
        for (const auto& [key, v] : series.items())
          if (ends_with(key, "utilisation") && picked.empty())
            picked.emplace_back(key, name + " " + key);
    } else {
      for (const auto& [key, v] : series.items())
        if (ends_with(key, "_length"))
          picked.emplace_back(key, key == "queue_length" ? name : name + " " + key.substr(0, key.size() - 7));
    }
    for (const auto& [key, label] : picked) {
      svg::Series s{label, xs, values_of(array_at(series, key)), false, false, false, -1};
      s.x.resize(std::min(s.x.size(), s.y.size()));
      if (what == TimePlot::Utilisation)
        s.colour = index;
      if (has_value(s, false))
        p.series.push_back(std::move(s));
    }
    ++index;
  }
}

}  // namespace

std::optional<LogHistogram> class_histogram(const json& cls)
{
  if (!cls.is_object() || !cls.contains("histogram") || !cls["histogram"].is_object())
    return std::nullopt;
  try {
    LogHistogram h = LogHistogram::from_json(cls["histogram"]);
    return h.count() > 0 ? std::optional<LogHistogram>(std::move(h)) : std::nullopt;
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
}

svg::Series cdf_series(const LogHistogram& h, const std::string& name)
{
  svg::Series s;
  s.name = name;
  s.step = true;
  if (h.count() == 0)
    return s;
  const double e     = h.relative_error();
  const double gamma = (1 + e) / (1 - e);  // bucket (lower, lower * gamma], log_histogram.h
  auto buckets       = h.buckets();
  s.x.push_back(std::max(buckets.front().first, h.min() > 0 ? h.min() / gamma : buckets.front().first));
  s.y.push_back(0);
  uint64_t cumulative = 0;
  for (const auto& [lower, count] : buckets) {
    cumulative += count;
    s.x.push_back(std::min(lower * gamma, std::max(h.max(), lower)));
    s.y.push_back(static_cast<double>(cumulative) / static_cast<double>(h.count()));
  }
  return s;
}

svg::LinePlot cdf_frame(const std::string& title)
{
  svg::LinePlot p;
  p.title   = title;
  p.x.label = "latency from the scheduled arrival (log scale)";
  p.x.unit  = Unit::Duration;
  p.x.scale = svg::Scale::Log;
  p.y.label = "share of requests at or below";
  p.y.unit  = Unit::Fraction;
  p.y.min   = 0;
  p.y.max   = 1;
  return p;
}

std::optional<svg::LinePlot> latency_cdf_plot(const json& result)
{
  svg::LinePlot p = cdf_frame("latency CDF per request class");
  int index       = 0;
  for (const auto& c : array_at(result, "classes")) {
    if (auto h = class_histogram(c)) {
      svg::Series s = cdf_series(*h, text_at(c, "name"));
      s.colour      = index;
      p.series.push_back(std::move(s));
    }
    ++index;
  }
  if (p.series.empty())
    return std::nullopt;
  return p;
}

std::vector<svg::Shade> run_shades(const json& result)
{
  std::vector<svg::Shade> out;
  const json& run = object_at(result, "run");
  double duration = number_or(run, "duration", std::numeric_limits<double>::infinity());
  if (double w = number_or(run, "warmup", 0); w > 0)
    out.push_back({0, w, "warm-up", false});
  for (const auto& f : array_at(result, "faults")) {
    double began = number_or(f, "began", -1), ended = number_or(f, "ended", -1);
    if (began < 0)
      continue;
    double end = ended >= 0 ? ended : duration;
    if (!std::isfinite(end))
      end = began;
    out.push_back({began, std::max(began, end), text_at(f, "text"), true});
  }
  return out;
}

std::optional<svg::LinePlot> time_plot(const json& result, TimePlot what)
{
  svg::LinePlot p;
  switch (what) {
    case TimePlot::P99:
      p = time_frame(result, "p99 latency over time", "p99 latency (per window)", Unit::Duration);
      class_series(result, "p99", p);
      break;
    case TimePlot::Throughput:
      p = time_frame(result, "throughput over time", "successful requests/s", Unit::Rate);
      class_series(result, "throughput", p);
      break;
    case TimePlot::Errors:
      p = time_frame(result, "errors over time", "errors/s", Unit::Rate);
      class_series(result, "errors", p);
      if (std::none_of(p.series.begin(), p.series.end(), [](const auto& s) { return has_value(s, true); }))
        return std::nullopt;
      break;
    case TimePlot::Utilisation: {
      p = time_frame(result, "utilisation over time", "utilisation", Unit::Fraction);
      component_series(result, what, p);
      bool within_one = true;
      for (const auto& s : p.series)
        for (double v : s.y)
          within_one = within_one && !(v > 1);
      if (within_one)
        p.y.max = 1;
      break;
    }
    case TimePlot::QueueLength:
      p = time_frame(result, "queue length over time", "mean queue length (per window)", Unit::Count);
      component_series(result, what, p);
      if (std::none_of(p.series.begin(), p.series.end(), [](const auto& s) { return has_value(s, true); }))
        return std::nullopt;  // no queue ever formed: flat lines on the axis say nothing
      break;
  }
  if (p.series.empty())
    return std::nullopt;
  return p;
}

}  // namespace archsim
