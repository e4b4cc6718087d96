#include "analysis/fault_effects.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace archsim {

namespace {

using json = nlohmann::json;

double num(const json& j, const char* key, double fallback)
{
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}

struct Windows {
  double width = 1;
  std::vector<double> t;
};

// Mean of series[k] over windows k with from <= t[k] and t[k] + width <= to (whole windows).
double mean_over(const json& series, const Windows& w, double from, double to)
{
  double sum = 0;
  int n      = 0;
  for (size_t k = 0; k < w.t.size() && k < series.size(); ++k)
    if (w.t[k] >= from - 1e-9 && w.t[k] + w.width <= to + 1e-9 && series[k].is_number()) {
      sum += series[k].get<double>();
      ++n;
    }
  return n ? sum / n : 0;
}

std::optional<double> median_p99(const json& series, const Windows& w, double from, double to)
{
  std::vector<double> v;
  for (size_t k = 0; k < w.t.size() && k < series.size(); ++k)
    if (w.t[k] >= from - 1e-9 && w.t[k] + w.width <= to + 1e-9 && series[k].is_number())
      v.push_back(series[k].get<double>());
  if (v.empty())
    return std::nullopt;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::optional<double> worst_p99(const json& series, const Windows& w, double from, double to)
{
  std::optional<double> worst;
  for (size_t k = 0; k < w.t.size() && k < series.size(); ++k)
    if (w.t[k] + w.width > from && w.t[k] < to && series[k].is_number())
      worst = std::max(worst.value_or(0.0), series[k].get<double>());
  return worst;
}

}  // namespace

std::vector<FaultEffect> fault_effects(const json& result)
{
  std::vector<FaultEffect> out;
  const json& ts = result.value("timeseries", json::object());
  Windows w;
  w.width = num(ts, "window", 1);
  for (const auto& t : ts.value("t", json::array()))
    w.t.push_back(t.get<double>());
  const json& run = result.value("run", json::object());
  double warmup   = num(run, "warmup", 0);
  double end      = num(run, "duration", w.t.empty() ? 0 : w.t.back() + w.width);
  const json& classes = ts.value("classes", json::object());
  for (const auto& f : result.value("faults", json::array())) {
    FaultEffect e;
    e.text     = f.value("text", "");
    double began = num(f, "began", -1);
    double ended = num(f, "ended", -1);
    e.struck   = began >= 0;
    if (!e.struck) {
      out.push_back(e);
      continue;
    }
    double until = ended >= 0 ? ended : end;
    for (auto it = classes.begin(); it != classes.end(); ++it) {
      const json& s = it.value();
      ClassFaultEffect c;
      c.class_name        = it.key();
      c.throughput_before = mean_over(s["throughput"], w, warmup, began);
      c.errors_before     = mean_over(s["errors"], w, warmup, began);
      c.p99_before        = median_p99(s["p99"], w, warmup, began);
      // Windows that overlap the fault at all count as "during".
      double first = std::floor(began / w.width) * w.width;
      double last  = std::ceil(until / w.width) * w.width;
      c.throughput_during = mean_over(s["throughput"], w, first, last);
      c.errors_during     = mean_over(s["errors"], w, first, last);
      c.p99_during        = worst_p99(s["p99"], w, began, until);
      if (ended >= 0 && c.p99_before) {
        double p99_ok = kRecoveredP99 * *c.p99_before;
        double err_ok = std::max(2 * c.errors_before, 0.01 * c.throughput_before);
        int run_ok    = 0;
        for (size_t k = 0; k < w.t.size(); ++k) {
          if (w.t[k] + 1e-9 < std::floor(ended / w.width) * w.width)
            continue;
          const json& p = s["p99"][k];
          bool fine     = p.is_number() && p.get<double>() <= p99_ok && s["errors"][k].get<double>() <= err_ok;
          run_ok        = fine ? run_ok + 1 : 0;
          bool last_window = k + 1 == w.t.size();
          if (run_ok >= kRecoveredWindows || (fine && last_window)) {
            double back  = w.t[k + 1 - static_cast<size_t>(run_ok)];
            c.recovery_s = std::max(0.0, back - ended);
            break;
          }
        }
      }
      e.classes.push_back(c);
    }
    out.push_back(e);
  }
  return out;
}

ReportTable fault_effect_table(const json& result)
{
  ReportTable t;
  t.headers = {"fault", "class", "p99 before", "p99 during (worst)", "throughput before", "during", "errors/s during",
               "recovered after"};
  t.align   = {Align::Left, Align::Left, Align::Right, Align::Right, Align::Right, Align::Right, Align::Right,
               Align::Right};
  auto p99  = [](const std::optional<double>& v) { return v ? format_duration(*v) : std::string("-"); };
  for (const auto& f : fault_effects(result)) {
    if (!f.struck)
      continue;
    for (const auto& c : f.classes) {
      std::string recovered = c.recovery_s ? format_duration(*c.recovery_s) : "not within the run";
      t.rows.push_back({f.text, c.class_name, p99(c.p99_before), p99(c.p99_during), format_rate(c.throughput_before),
                        format_rate(c.throughput_during), format_rate(c.errors_during), recovered});
      t.tones.push_back(c.recovery_s ? Tone::Plain : Tone::Bad);
    }
  }
  return t;
}

std::vector<std::string> data_loss_lines(const json& result)
{
  std::vector<std::string> out;
  for (const auto& c : result.value("components", json::array())) {
    const json& m = c.value("metrics", json::object());
    for (auto it = m.begin(); it != m.end(); ++it) {
      const std::string& k = it.key();
      bool counts_loss     = k.find("lost") != std::string::npos || k.find("duplicate") != std::string::npos ||
                         k.find("redeliver") != std::string::npos;
      if (counts_loss && it.value().is_number() && it.value().get<double>() > 0)
        out.push_back(fmt::format("{}.{} = {:g}", c.value("name", ""), k, it.value().get<double>()));
    }
  }
  return out;
}

}  // namespace archsim
