#include "analysis/targets.h"

#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

#include "analysis/result_json.h"

namespace archsim {

using nlohmann::json;

namespace {

std::optional<double> class_metric(const json& c, const std::string& metric)
{
  const std::string latency_prefix = "latency.";
  if (metric.compare(0, latency_prefix.size(), latency_prefix) == 0)
    return number_at(object_at(c, "latency"), metric.substr(latency_prefix.size()));
  if (metric == "errors" || metric == "timeouts") {
    // With no finished request the ratio is 0/0: not measured, whatever the file says.
    double finished = number_or(c, "ok", 0) + number_or(c, "errors", 0);
    if (finished <= 0)
      return std::nullopt;
    return number_at(c, metric == "errors" ? "error_ratio" : "timeout_ratio");
  }
  return number_at(c, metric);  // "throughput", and any metric a later schema adds
}

bool compare(double measured, const std::string& op, double value)
{
  if (op == "<")
    return measured < value;
  if (op == "<=")
    return measured <= value;
  if (op == ">")
    return measured > value;
  return measured >= value;  // ">=", checked by the caller
}

}  // namespace

std::optional<double> lookup_metric(const json& result, const std::string& subject, bool is_class,
                                    const std::string& metric)
{
  if (is_class) {
    const json* c = find_named(array_at(result, "classes"), subject);
    return c ? class_metric(*c, metric) : std::nullopt;
  }
  const json* comp = find_named(array_at(result, "components"), subject);
  return comp ? number_at(object_at(*comp, "metrics"), metric) : std::nullopt;
}

std::vector<TargetCheck> evaluate_targets(const json& result)
{
  std::vector<TargetCheck> checks;
  for (const auto& t : array_at(result, "targets")) {
    TargetCheck check;
    check.text        = text_at(t, "text");
    check.unit        = text_at(t, "unit");
    std::string op    = text_at(t, "op");
    auto value        = number_at(t, "value");
    if (op != "<" && op != "<=" && op != ">" && op != ">=")
      throw std::invalid_argument(
          fmt::format("target '{}': unknown operator '{}'; expected <, <=, > or >=", check.text, op));
    if (!value)
      throw std::invalid_argument(fmt::format("target '{}': no numeric \"value\"", check.text));
    check.value          = *value;
    std::string subject  = text_at(t, "subject");
    bool is_class        = t.contains("is_class") && t["is_class"].is_boolean()
                               ? t["is_class"].get<bool>()
                               : find_named(array_at(result, "classes"), subject) != nullptr;
    auto measured        = lookup_metric(result, subject, is_class, text_at(t, "metric"));
    check.missing        = !measured.has_value();
    if (measured) {
      check.measured = *measured;
      check.met      = compare(*measured, op, *value);
    }
    checks.push_back(check);
  }
  return checks;
}

bool all_met(const std::vector<TargetCheck>& checks)
{
  for (const auto& c : checks)
    if (!c.met || c.missing)
      return false;
  return true;
}

void record_target_checks(json& result, const std::vector<TargetCheck>& checks)
{
  json& targets = result["targets"];
  if (!targets.is_array() || targets.size() != checks.size())
    throw std::invalid_argument(fmt::format("record_target_checks: {} checks for {} targets", checks.size(),
                                            targets.is_array() ? targets.size() : 0));
  for (size_t i = 0; i < checks.size(); ++i) {
    targets[i]["met"]      = checks[i].met && !checks[i].missing;
    targets[i]["measured"] = checks[i].missing ? json(nullptr) : json(checks[i].measured);
    targets[i]["missing"]  = checks[i].missing;
  }
}

std::vector<TargetCheck> recorded_target_checks(const json& result)
{
  std::vector<TargetCheck> checks = evaluate_targets(result);
  const json& targets             = array_at(result, "targets");
  for (size_t i = 0; i < checks.size(); ++i) {
    const json& t = targets[i];
    if (!t.contains("met") || !t["met"].is_boolean())
      continue;
    auto measured     = number_at(t, "measured");
    checks[i].missing = !measured || (t.contains("missing") && t["missing"].is_boolean() && t["missing"].get<bool>());
    checks[i].measured = measured.value_or(std::numeric_limits<double>::quiet_NaN());
    checks[i].met      = t["met"].get<bool>() && !checks[i].missing;
  }
  return checks;
}

}  // namespace archsim
