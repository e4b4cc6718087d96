#include "analysis/sweep_summary.h"

#include <cmath>
#include <fmt/format.h>
#include <map>

#include "analysis/result_json.h"
#include "analysis/targets.h"
#include "sim/core/units.h"

namespace archsim {

using nlohmann::json;

namespace {

std::optional<MeanCi> ci_of(const std::vector<double>& xs)
{
  return xs.empty() ? std::nullopt : std::optional<MeanCi>(mean_ci(xs));
}

std::optional<double> p99_bound(const json& result, const std::string& cls)
{
  for (const auto& t : array_at(result, "targets"))
    if (text_at(t, "subject") == cls && text_at(t, "metric") == "latency.p99" &&
        (text_at(t, "op") == "<" || text_at(t, "op") == "<="))
      return number_at(t, "value");
  return std::nullopt;
}

// The component replica with the highest utilisation, averaged over the runs of a point.
std::optional<Busiest> busiest_of(const std::vector<const json*>& runs)
{
  std::map<std::pair<std::string, size_t>, double> sum;
  for (const json* r : runs)
    for (const auto& comp : array_at(*r, "components")) {
      const json& per = array_at(object_at(comp, "per_replica"), "utilisation");
      for (size_t i = 0; i < per.size(); ++i)
        if (per[i].is_number())
          sum[{text_at(comp, "name"), i}] += per[i].get<double>();
    }
  std::optional<Busiest> best;
  for (const auto& [key, total] : sum) {
    double u = total / static_cast<double>(runs.size());
    if (!best || u > best->utilisation)
      best = Busiest{key.first, key.second, u};
  }
  return best;
}

std::string busiest_text(const Busiest& b)
{
  return fmt::format("{} replica {} at {} utilisation", b.component, b.replica,
                     format_quantity(b.utilisation, Unit::Fraction));
}

}  // namespace

SweepSummary summarize_sweep(const ExperimentPlan& plan, const std::vector<std::optional<json>>& results)
{
  SweepSummary s;
  s.axes = plan.axes;
  std::vector<std::vector<const json*>> by(plan.groups.size());
  for (size_t i = 0; i < plan.jobs.size(); ++i) {
    if (i < results.size() && results[i])
      by[plan.jobs[i].group].push_back(&*results[i]);
    else
      s.missing_jobs.push_back(plan.jobs[i].id);
  }
  for (size_t g = 0; g < plan.groups.size(); ++g) {
    SweepPoint p;
    p.label  = plan.groups[g].label;
    p.values = plan.groups[g].point;
    p.runs   = by[g].size();
    if (!by[g].empty()) {
      for (const auto& c : array_at(*by[g].front(), "classes")) {
        SweepClassPoint cp;
        cp.name = text_at(c, "name");
        std::vector<double> offered, thr, p50, p99, err;
        for (const json* r : by[g]) {
          const json* rc = find_named(array_at(*r, "classes"), cp.name);
          if (!rc)
            continue;
          if (auto v = number_at(*rc, "offered_rate"))
            offered.push_back(*v);
          if (auto v = lookup_metric(*r, cp.name, true, "throughput"))
            thr.push_back(*v);
          if (auto v = lookup_metric(*r, cp.name, true, "latency.p50"))
            p50.push_back(*v);
          if (auto v = lookup_metric(*r, cp.name, true, "latency.p99"))
            p99.push_back(*v);
          if (auto v = lookup_metric(*r, cp.name, true, "errors"))
            err.push_back(*v);
        }
        if (!offered.empty())
          cp.offered = mean_ci(offered).mean;
        cp.throughput = ci_of(thr);
        cp.p50        = ci_of(p50);
        cp.p99        = ci_of(p99);
        cp.errors     = ci_of(err);
        cp.p99_target = p99_bound(*by[g].front(), cp.name);
        // Closed-loop classes have no offered rate: only their p99 can mark the knee.
        cp.carried = !cp.offered || *cp.offered <= 0 ||
                     (cp.throughput && cp.throughput->mean >= kKneeThroughputShare * *cp.offered);
        cp.p99_met = !cp.p99_target || (cp.p99 && cp.p99->mean < *cp.p99_target);
        p.classes.push_back(std::move(cp));
      }
      p.busiest = busiest_of(by[g]);
    }
    s.points.push_back(std::move(p));
  }
  for (size_t i = 0; i < s.points.size() && !s.knee; ++i)
    for (const auto& c : s.points[i].classes)
      if (!c.carried || !c.p99_met) {
        s.knee = i;
        break;
      }
  if (!s.knee) {
    s.knee_sentence = "No knee: every point carried its offered load and met its p99 targets";
    if (!s.points.empty() && s.points.back().busiest)
      s.knee_sentence += "; the busiest at the last point was " + busiest_text(*s.points.back().busiest);
    s.knee_sentence += ".";
    return s;
  }
  const SweepPoint& at = s.points[*s.knee];
  std::vector<std::string> why;
  for (const auto& c : at.classes) {
    if (!c.p99_met)
      why.push_back(fmt::format("{} p99 crosses {}", c.name, format_duration(*c.p99_target)));
    if (!c.carried)
      why.push_back(fmt::format("{} carries {} of {} offered", c.name,
                                c.throughput ? format_rate(c.throughput->mean) : std::string("nothing"),
                                format_rate(*c.offered)));
  }
  std::string where = *s.knee == 0 ? fmt::format("already at the first point ({})", at.label)
                                   : fmt::format("between {} and {}", s.points[*s.knee - 1].label, at.label);
  s.knee_sentence = fmt::format("{} {}", fmt::join(why, " and "), where);
  if (at.busiest)
    s.knee_sentence += fmt::format("; {} is the bottleneck", busiest_text(*at.busiest));
  s.knee_sentence += ".";
  return s;
}

ReportTable sweep_table(const SweepSummary& s)
{
  ReportTable t;
  t.headers = {"point", "class", "offered", "throughput", "p99", "errors", "busiest"};
  t.align   = {Align::Left, Align::Left, Align::Right, Align::Right, Align::Right, Align::Right, Align::Left};
  auto ci   = [](const std::optional<MeanCi>& v, Unit u) {
    if (!v)
      return std::string("-");
    if (v->n < 2 || !std::isfinite(v->half_width))
      return format_quantity(v->mean, u);
    return format_quantity(v->mean, u) + " \xC2\xB1 " + format_quantity(v->half_width, u);
  };
  for (size_t i = 0; i < s.points.size(); ++i) {
    const SweepPoint& p = s.points[i];
    for (const auto& c : p.classes) {
      t.rows.push_back({p.label, c.name, c.offered ? format_rate(*c.offered) : "-", ci(c.throughput, Unit::Rate),
                        ci(c.p99, Unit::Duration), ci(c.errors, Unit::Fraction),
                        p.busiest ? busiest_text(*p.busiest) : "-"});
      t.tones.push_back(c.carried && c.p99_met ? Tone::Good : Tone::Bad);
    }
  }
  return t;
}

}  // namespace archsim
