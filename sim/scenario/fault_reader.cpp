// Reader for `faults:`: a list of faults injected during the run, e.g.
//   faults:
//     - {at: 30s, crash: cache, replica: 0, for: 15s}  # cache's replica 0 dies at 30 s, restarts at 45 s
//     - {at: 10s, crash: db}                           # every replica of `db`, for the rest of the run
//     - at: 5s
//       crash: cache[1]                                # the short form, outside flow style
// (In a flow mapping `{...}` YAML does not allow `[` inside a plain scalar, hence `replica:`.)
// A fault naming a component or a replica that does not exist is an error. A fault after the
// end of the run is not: CI runs every scenario at a short duration, and the run result says
// which faults happened.
#include <fmt/format.h>
#include <regex>

#include "sim/core/units.h"
#include "sim/scenario/loader.h"
#include "sim/scenario/readers.h"

namespace archsim {

namespace {

constexpr size_t kMaxTargetChars = 100;

// "cache" or "cache[2]"; the replica index stays empty for "every replica".
bool parse_crash_target(const std::string& text, std::string& component, std::vector<size_t>& replicas)
{
  static const std::regex form(R"(^\s*([A-Za-z_][\w-]*)\s*(?:\[\s*(\d{1,6})\s*\])?\s*$)");
  std::smatch m;
  if (text.size() > kMaxTargetChars || !std::regex_match(text, m, form))
    return false;
  component = m[1];
  replicas.clear();
  if (m[2].matched)
    replicas.push_back(static_cast<size_t>(std::stoul(m[2])));
  return true;
}

std::string describe(const FaultSpec& f)
{
  std::string target = f.component;
  if (!f.replicas.empty())
    target += fmt::format("[{}]", f.replicas.front());
  std::string text = fmt::format("crash {} at {}", target, format_duration(f.at));
  if (f.duration > 0)
    text += " for " + format_duration(f.duration);
  return text;
}

}  // namespace

void read_faults(const YNode& node, Scenario& sc, const ModelCatalog& catalog, Diagnostics& diags,
                 const std::set<std::string>& unusable)
{
  if (!node.is_seq()) {
    diags.error(node.loc, "faults",
                "expected a list of faults such as '- {at: 30s, crash: cache[0], for: 15s}', got " + node.describe());
    return;
  }
  std::vector<std::string> names;
  for (const auto& c : sc.components)
    names.push_back(c.name);
  for (size_t i = 0; i < node.items.size(); ++i) {
    const YNode& f   = node.items[i];
    std::string path = fmt::format("faults[{}]", i);
    if (!expect_map(f, path, diags))
      continue;
    check_keys(f, {"at", "crash", "replica", "for"}, path, diags);
    FaultSpec spec;
    spec.loc  = f.loc;
    bool ok   = true;
    if (const YNode* at = f.find("at")) {
      auto v = read_quantity(*at, Unit::Duration, path + ".at", diags, 0, 1e9);
      ok     = ok && v.has_value();
      spec.at = v.value_or(0);
    } else {
      diags.error(f.loc, path, "missing 'at:' (when the fault happens, e.g. 30s)");
      ok = false;
    }
    if (const YNode* d = f.find("for")) {
      auto v = read_quantity(*d, Unit::Duration, path + ".for", diags, 0, 1e9);
      ok     = ok && v.has_value();
      spec.duration = v.value_or(0);
    }
    const YNode* crash = f.find("crash");
    if (!crash) {
      diags.error(f.loc, path, "missing the fault's kind; expected 'crash: COMPONENT' or 'crash: COMPONENT[REPLICA]'");
      continue;
    }
    if (!crash->is_scalar() || !parse_crash_target(crash->scalar, spec.component, spec.replicas)) {
      diags.error(crash->loc, path + ".crash",
                  "expected a component, or a component and a replica index such as 'cache[0]', got " +
                      crash->describe());
      continue;
    }
    if (const YNode* r = f.find("replica")) {
      auto v = read_quantity(*r, Unit::Count, path + ".replica", diags, 0, 1e6, true);
      if (!v)
        continue;
      if (!spec.replicas.empty()) {
        diags.error(r->loc, path + ".replica", "the replica is given twice (in 'crash:' and in 'replica:')");
        continue;
      }
      spec.replicas.push_back(static_cast<size_t>(*v));
    }
    if (unusable.count(spec.component))
      continue;
    const ComponentSpec* comp = sc.component(spec.component);
    if (!comp) {
      std::string hint = did_you_mean(spec.component, names);
      diags.error(crash->loc, path + ".crash",
                  fmt::format("unknown component '{}'; expected one of {}{}", spec.component, list_names(names),
                              hint.empty() ? "" : "; " + hint));
      continue;
    }
    const ModelSpec* model = catalog.find(comp->model);
    if (model && model->replica_count && !spec.replicas.empty()) {
      size_t count = model->replica_count(comp->params);
      if (spec.replicas.front() >= count) {
        diags.error(crash->loc, path + ".crash",
                    fmt::format("'{}' has {} replica{} (0..{}), got replica {}", spec.component, count,
                                count == 1 ? "" : "s", count - 1, spec.replicas.front()));
        continue;
      }
    }
    if (!ok)
      continue;
    spec.text = describe(spec);
    sc.faults.push_back(std::move(spec));
  }
}

}  // namespace archsim
