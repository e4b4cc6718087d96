// Reader for `targets:`: "redirect.latency.p99 < 50ms", "db.utilisation < 80%". A target naming
// a request class, a component or a metric that does not exist is an error, never a silent pass.
#include <algorithm>
#include <fmt/format.h>
#include <regex>

#include "sim/scenario/loader.h"
#include "sim/scenario/readers.h"
#include "sim/scenario/targets.h"

namespace archsim {

const std::vector<std::pair<std::string, Unit>>& class_metrics()
{
  static const std::vector<std::pair<std::string, Unit>> metrics{
      {"latency.mean", Unit::Duration}, {"latency.p50", Unit::Duration},  {"latency.p90", Unit::Duration},
      {"latency.p99", Unit::Duration},  {"latency.p999", Unit::Duration}, {"latency.max", Unit::Duration},
      {"throughput", Unit::Rate},       {"errors", Unit::Fraction},       {"timeouts", Unit::Fraction}};
  return metrics;
}

namespace {
constexpr size_t kMaxTargetChars = 200;
}

void read_targets(const YNode& node, Scenario& sc, const ModelCatalog& catalog, Diagnostics& diags,
                  const std::set<std::string>& unusable)
{
  if (!node.is_seq()) {
    diags.error(node.loc, "targets", "expected a list of targets such as '- redirect.latency.p99 < 50ms', got " +
                                         node.describe());
    return;
  }
  static const std::regex form(R"(^\s*([A-Za-z_][\w-]*)\.([\w.]+)\s*(<=|>=|<|>)\s*(\S+)\s*$)");
  for (size_t i = 0; i < node.items.size(); ++i) {
    const YNode& t   = node.items[i];
    std::string path = fmt::format("targets[{}]", i);
    std::smatch m;
    // libstdc++'s regex recurses once per character: bound the length before matching.
    if (t.is_scalar() && t.scalar.size() > kMaxTargetChars) {
      diags.error(t.loc, path, fmt::format("expected a target of at most {} characters, got {}", kMaxTargetChars,
                                           t.scalar.size()));
      continue;
    }
    if (!t.is_scalar() || !std::regex_match(t.scalar, m, form)) {
      diags.error(t.loc, path,
                  "expected 'SUBJECT.METRIC OP VALUE' such as 'redirect.latency.p99 < 50ms', got " + t.describe());
      continue;
    }
    TargetSpec spec;
    spec.text    = t.scalar;
    spec.subject = m[1];
    spec.metric  = m[2];
    spec.op      = m[3];
    spec.loc     = t.loc;
    std::vector<std::string> metric_names;
    bool found = false;
    std::vector<std::string> classes = sc.measured_class_names();
    bool is_class = std::find(classes.begin(), classes.end(), spec.subject) != classes.end();
    if (is_class) {
      for (const auto& [name, unit] : class_metrics()) {
        metric_names.push_back(name);
        if (name == spec.metric) {
          spec.unit = unit;
          found     = true;
        }
      }
    } else if (const ComponentSpec* c = sc.component(spec.subject)) {
      spec.subject_is_class = false;
      for (const auto& ms : catalog.find(c->model)->metrics) {
        metric_names.push_back(ms.name);
        if (ms.name == spec.metric) {
          spec.unit = ms.unit;
          found     = true;
        }
      }
    } else if (unusable.count(spec.subject)) {
      continue;  // a component whose declaration is wrong, and was reported
    } else {
      std::vector<std::string> subjects = classes;
      for (const auto& c : sc.components)
        subjects.push_back(c.name);
      std::string hint = did_you_mean(spec.subject, subjects);
      diags.error(t.loc, path,
                  fmt::format("no request class or component named '{}'; expected one of {}{}", spec.subject,
                              list_names(subjects), hint.empty() ? "" : "; " + hint));
      continue;
    }
    if (!found) {
      std::string hint = did_you_mean(spec.metric, metric_names);
      diags.error(t.loc, path,
                  fmt::format("'{}' has no metric '{}'; expected one of {}{}", spec.subject, spec.metric,
                              list_names(metric_names), hint.empty() ? "" : "; " + hint));
      continue;
    }
    std::string why;
    auto v = parse_quantity(m[4].str(), spec.unit, &why);
    if (!v) {
      diags.error(t.loc, path, fmt::format("expected {} after '{}', got '{}' ({})", unit_expectation(spec.unit),
                                           spec.op, m[4].str(), why));
      continue;
    }
    spec.value = *v;
    sc.targets.push_back(spec);
  }
}

}  // namespace archsim
