// `archsim list` and `archsim describe`: what models and scenarios exist, and each model's
// parameter table, printed from the same table the loader checks against.
#include <fmt/format.h>

#include "models/registry.h"
#include "sim/cli/cli_common.h"
#include "sim/scenario/readers.h"

namespace archsim::cli {

namespace {
std::string kind_text(const ParamSpec& p)
{
  switch (p.kind) {
    case ParamKind::Quantity:
      return p.integer && p.unit == Unit::Count ? "count" : unit_name(p.unit);
    case ParamKind::Enum:
      return "one of " + list_names(p.choices);
    case ParamKind::Text:
      return "text";
    case ParamKind::Flag:
      return "true/false";
    case ParamKind::Distribution:
      return unit_name(p.unit) + " distribution";
    case ParamKind::ComponentRef:
      return "component name";
    case ParamKind::KeySpaceRef:
      return "key space name";
    case ParamKind::FlowRef:
      return "flow name (under flows:)";
  }
  return "";
}

std::string range_text(const ParamSpec& p)
{
  if (p.kind != ParamKind::Quantity)
    return "";
  bool lo = p.min > -1e299 && !(p.min == 0 && p.unit != Unit::Number);
  bool hi = p.max < 1e299 && !(p.unit == Unit::Fraction && p.max == 1);
  if (lo && hi)
    return fmt::format("{}..{}", format_quantity(p.min, p.unit), format_quantity(p.max, p.unit));
  if (lo)
    return ">= " + format_quantity(p.min, p.unit);
  if (hi)
    return "<= " + format_quantity(p.max, p.unit);
  return "";
}

void describe(const ModelSpec& m)
{
  fmt::print("{}: {}\n", m.name, m.summary);
  if (!m.keeps.empty())
    fmt::print("  keeps:     {}\n", m.keeps);
  if (!m.abstracts.empty())
    fmt::print("  abstracts: {}\n", m.abstracts);
  for (const auto& op : m.operations) {
    if (op.block)
      fmt::print("  flow step `{{{}: COMPONENT, steps: [...]}}` (a block: its steps run at the caller while it is "
                 "open): {}\n",
                 op.name, op.doc);
    else
      fmt::print("  flow step `{}: COMPONENT`: {}\n", op.name, op.doc);
    for (const auto& o : op.options)
      fmt::print("      option {}: {}; {}\n", o.name, kind_text(o), o.doc);
    if (!op.outcomes.empty())
      fmt::print("      outcomes (handle with on_OUTCOME): {}\n", fmt::join(op.outcomes, ", "));
  }
  fmt::print("\n  parameters:\n");
  size_t w = 4;
  for (const auto& p : m.params)
    w = std::max(w, p.name.size());
  for (const auto& p : m.params) {
    std::string def = p.required ? "(required)" : p.default_text.empty() ? "(none)" : "default " + p.default_text;
    std::string range = range_text(p);
    fmt::print("    {:<{}}  {}; {}{}\n", p.name, w, kind_text(p), def, range.empty() ? "" : "; " + range);
    fmt::print("    {:<{}}  {}\n", "", w, p.doc);
    if (!p.source.empty())
      fmt::print("    {:<{}}  source: {}\n", "", w, p.source);
  }
  if (!m.metrics.empty()) {
    fmt::print("\n  metrics (usable in targets as {}.METRIC):\n", m.placed ? "COMPONENT" : "CLASS");
    size_t mw = 4;
    for (const auto& x : m.metrics)
      mw = std::max(mw, x.name.size());
    for (const auto& x : m.metrics)
      fmt::print("    {:<{}}  {} ({})\n", x.name, mw, x.doc, unit_name(x.unit));
  }
  fmt::print("\n");
}
}  // namespace

int cmd_describe(const std::vector<std::string>& models)
{
  const ModelCatalog& cat = model_catalog();
  if (models.empty()) {
    for (const auto* m : cat.models)
      describe(*m);
    return kOk;
  }
  int rc = kOk;
  for (const auto& name : models) {
    if (const ModelSpec* m = cat.find(name)) {
      describe(*m);
    } else {
      std::string hint = did_you_mean(name, cat.names());
      fmt::print(stderr, "archsim: error: unknown model '{}'; expected one of {}{}\n", name,
                 list_names(cat.names()), hint.empty() ? "" : "; " + hint);
      rc = kUsage;
    }
  }
  return rc;
}

int cmd_list()
{
  fmt::print("Models (archsim describe MODEL for parameters):\n");
  for (const auto* m : model_catalog().models)
    fmt::print("  {:<16} {}\n", m->name, m->summary);
  std::string dir = scenarios_dir();
  fmt::print("\nScenarios in {}:\n", dir);
  for (const auto& f : scenario_files(dir)) {
    Diagnostics diags;
    auto sc = load_scenario(f, model_catalog(), {}, diags);
    if (!sc) {
      fmt::print("  {:<44} (invalid: archsim validate {})\n", f, f);
      continue;
    }
    std::string variants;
    for (const auto& v : sc->variants)
      variants += (variants.empty() ? "" : ", ") + v.name;
    fmt::print("  {:<44} {}{}\n", f, sc->title.empty() ? sc->name : sc->title,
               variants.empty() ? "" : "  [variants: " + variants + "]");
  }
  return kOk;
}

int cmd_validate(const std::vector<std::string>& files)
{
  int rc = kOk;
  for (const auto& f : files) {
    auto sc = load_or_report(f, {});
    if (!sc) {
      rc = kUsage;
      continue;
    }
    // Each variant is a different scenario: check that every one of them is valid too.
    bool variants_ok = true;
    for (const auto& v : sc->variants) {
      LoadOptions o;
      o.variants = {v.name};
      if (!load_or_report(f, o)) {
        fmt::print(stderr, "{}: error: variant '{}' makes the scenario invalid (errors above)\n", f, v.name);
        variants_ok = false;
      }
    }
    if (!variants_ok) {
      rc = kUsage;
      continue;
    }
    fmt::print("ok: {} ({} components, {} request classes, {} variants, {} targets)\n", f, sc->components.size(),
               sc->workload.size(), sc->variants.size(), sc->targets.size());
  }
  return rc;
}

}  // namespace archsim::cli
