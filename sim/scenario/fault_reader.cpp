// Reader for `faults:`: a list of faults injected during the run, e.g.
//   faults:
//     - {at: 30s, crash: cache, replica: 0, for: 15s}  # cache's replica 0 dies at 30 s, restarts at 45 s
//     - {at: 10s, crash: db}                           # every replica of `db`, for the rest of the run
//     - at: 5s
//       crash: cache[1]                                # the short form, outside flow style
//     - {at: 20s, pause: app, replica: 2, for: 800ms}  # a stop-the-world GC pause
//     - {at: 20s, slow_cpu: app, factor: 4, for: 10s}
//     - {at: 20s, slow_disk: db, factor: 10, for: 10s}
//     - {at: 20s, fail: payments, rate: 30%, for: 10s}
//     - {at: 20s, partition: [[clients, lb, app], [db]], for: 5s}
//     - {at: 20s, degrade: clients-access, latency: 10, bandwidth: 10, loss: 1%, for: 10s}
// (In a flow mapping `{...}` YAML does not allow `[` inside a plain scalar, hence `replica:`.)
// A fault naming a component, replica or link that does not exist is an error. A fault after the
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

const std::vector<std::string> kKinds{"crash", "pause", "slow_cpu", "slow_disk", "fail", "partition", "degrade"};

std::string join_names(const std::vector<std::string>& names)
{
  std::string out;
  for (const auto& n : names)
    out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string describe(const FaultSpec& f)
{
  std::string target = f.component;
  if (!f.replicas.empty())
    target += fmt::format("[{}]", f.replicas.front());
  std::string what;
  switch (f.kind) {
    case FaultSpec::Kind::Crash: what = "crash " + target; break;
    case FaultSpec::Kind::Pause: what = "pause " + target; break;
    case FaultSpec::Kind::SlowCpu: what = fmt::format("CPU of {} {:g}x slower", target, f.factor); break;
    case FaultSpec::Kind::SlowDisk: what = fmt::format("disk of {} {:g}x slower", target, f.factor); break;
    case FaultSpec::Kind::Fail: what = fmt::format("{:g}% of calls to {} fail", f.rate * 100, target); break;
    case FaultSpec::Kind::Partition:
      what = fmt::format("partition [{}] | [{}]", join_names(f.side_a), join_names(f.side_b));
      break;
    case FaultSpec::Kind::Degrade:
      what = fmt::format("link {}: latency x{:g}, bandwidth /{:g}, loss {:g}%", f.link, f.latency_factor,
                         f.bandwidth_divisor, f.loss * 100);
      break;
  }
  std::string text = fmt::format("{} at {}", what, format_duration(f.at));
  if (f.duration > 0)
    text += " for " + format_duration(f.duration);
  return text;
}

// The platform's link names (platform_builder.cpp): what `degrade:` may name.
std::vector<std::string> link_names(const Scenario& sc, const ModelCatalog& catalog)
{
  std::vector<std::string> out;
  if (sc.platform.network_model == "ideal")
    return out;
  out.push_back("clients-access");
  for (const auto& dc : sc.platform.datacenters) {
    out.push_back(dc.name + "-wan");
    for (int r = 0; r < dc.racks; ++r)
      out.push_back(fmt::format("{}-rack{}-link", dc.name, r));
  }
  for (const auto& c : sc.components) {
    const ModelSpec* m = catalog.find(c.model);
    size_t n           = m && m->replica_count ? m->replica_count(c.params) : 1;
    for (size_t r = 0; r < n && r < 1000; ++r)
      out.push_back(fmt::format("{}-{}-nic", c.name, r));
  }
  return out;
}

// partition: [[a, b], [c]]: two disjoint, non-empty groups of component names ("clients" is
// the users' side).
bool read_partition(const YNode& node, const std::string& path, const Scenario& sc, FaultSpec& spec,
                    Diagnostics& diags, const std::set<std::string>& unusable)
{
  if (!node.is_seq() || node.items.size() != 2) {
    diags.error(node.loc, path, "expected two groups of components, e.g. [[clients, lb, app], [db]], got " +
                                    node.describe());
    return false;
  }
  std::vector<std::string> names{"clients"};
  for (const auto& c : sc.components)
    names.push_back(c.name);
  bool ok = true;
  for (size_t g = 0; g < 2; ++g) {
    const YNode& group = node.items[g];
    auto& side         = g == 0 ? spec.side_a : spec.side_b;
    std::string gpath  = fmt::format("{}[{}]", path, g);
    if (!group.is_seq() || group.items.empty()) {
      diags.error(group.loc, gpath, "expected a non-empty list of component names, got " + group.describe());
      ok = false;
      continue;
    }
    for (const auto& item : group.items) {
      if (!item.is_scalar() || std::find(names.begin(), names.end(), item.scalar) == names.end()) {
        if (item.is_scalar() && unusable.count(item.scalar)) {
          ok = false;
          continue;
        }
        std::string hint = item.is_scalar() ? did_you_mean(item.scalar, names) : "";
        diags.error(item.loc, gpath,
                    fmt::format("expected a component name or 'clients' ({}), got {}{}", list_names(names),
                                item.describe(), hint.empty() ? "" : "; " + hint));
        ok = false;
        continue;
      }
      const auto& other = g == 0 ? spec.side_a : spec.side_b;
      if (g == 1 && std::find(spec.side_a.begin(), spec.side_a.end(), item.scalar) != spec.side_a.end()) {
        diags.error(item.loc, gpath, "'" + item.scalar + "' is on both sides of the partition");
        ok = false;
        continue;
      }
      (void)other;
      side.push_back(item.scalar);
    }
  }
  return ok;
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
    check_keys(f, {"at", "for", "crash", "pause", "slow_cpu", "slow_disk", "fail", "partition", "degrade", "replica",
                   "factor", "rate", "latency", "bandwidth", "loss"},
               path, diags);
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
    std::vector<std::string> given;
    for (const auto& k : kKinds)
      if (f.find(k))
        given.push_back(k);
    if (given.size() != 1) {
      diags.error(f.loc, path,
                  given.empty() ? "missing the fault's kind; expected one of crash, pause, slow_cpu, slow_disk: "
                                  "COMPONENT; fail: COMPONENT with rate:; partition: [[A, ...], [B, ...]]; "
                                  "degrade: LINK"
                                : "expected one fault kind per entry, got " + join_names(given));
      continue;
    }
    const std::string kind = given.front();
    // Options that belong to other kinds are errors, not silently ignored.
    auto only_for = [&](const std::string& key, std::initializer_list<const char*> kinds) {
      const YNode* n = f.find(key);
      if (!n)
        return;
      for (const char* k : kinds)
        if (kind == k)
          return;
      diags.error(n->loc, path + "." + key, fmt::format("'{}:' does not apply to a {} fault", key, kind));
      ok = false;
    };
    only_for("replica", {"crash", "pause", "slow_cpu", "slow_disk"});
    only_for("factor", {"slow_cpu", "slow_disk"});
    only_for("rate", {"fail"});
    only_for("latency", {"degrade"});
    only_for("bandwidth", {"degrade"});
    only_for("loss", {"degrade"});
    const YNode* target = f.find(kind);
    if (kind == "partition") {
      spec.kind = FaultSpec::Kind::Partition;
      if (!read_partition(*target, path + ".partition", sc, spec, diags, unusable) || !ok)
        continue;
      spec.text = describe(spec);
      sc.faults.push_back(std::move(spec));
      continue;
    }
    if (kind == "degrade") {
      spec.kind = FaultSpec::Kind::Degrade;
      auto links = link_names(sc, catalog);
      if (links.empty()) {
        diags.error(target->loc, path + ".degrade", "the ideal network has no links to degrade; choose a network_model");
        continue;
      }
      if (!target->is_scalar() || std::find(links.begin(), links.end(), target->scalar) == links.end()) {
        std::string hint = target->is_scalar() ? did_you_mean(target->scalar, links) : "";
        diags.error(target->loc, path + ".degrade",
                    fmt::format("expected a link of the platform ({}{}), got {}", links.size() > 12 ? "e.g. " : "",
                                list_names(std::vector<std::string>(links.begin(), links.begin() + std::min<size_t>(12, links.size()))),
                                target->describe()) + (hint.empty() ? "" : "; " + hint));
        continue;
      }
      spec.link = target->scalar;
      if (const YNode* n = f.find("latency"))
        if (auto v = read_quantity(*n, Unit::Count, path + ".latency", diags, 1, 1e6))
          spec.latency_factor = *v;
      if (const YNode* n = f.find("bandwidth"))
        if (auto v = read_quantity(*n, Unit::Count, path + ".bandwidth", diags, 1, 1e9))
          spec.bandwidth_divisor = *v;
      if (const YNode* n = f.find("loss"))
        if (auto v = read_quantity(*n, Unit::Fraction, path + ".loss", diags, 0, 0.5))
          spec.loss = *v;
      if (!f.find("latency") && !f.find("bandwidth") && !f.find("loss")) {
        diags.error(f.loc, path, "a degrade fault needs at least one of latency: K (x K), bandwidth: K (/ K), loss: P%");
        continue;
      }
      if (!ok)
        continue;
      spec.text = describe(spec);
      sc.faults.push_back(std::move(spec));
      continue;
    }
    spec.kind = kind == "crash"      ? FaultSpec::Kind::Crash
                : kind == "pause"    ? FaultSpec::Kind::Pause
                : kind == "slow_cpu" ? FaultSpec::Kind::SlowCpu
                : kind == "slow_disk" ? FaultSpec::Kind::SlowDisk
                                      : FaultSpec::Kind::Fail;
    if (kind == "slow_cpu" || kind == "slow_disk") {
      if (const YNode* n = f.find("factor")) {
        auto v = read_quantity(*n, Unit::Count, path + ".factor", diags, 1, 1e6);
        ok     = ok && v.has_value();
        spec.factor = v.value_or(1);
      } else {
        diags.error(f.loc, path, "missing 'factor:' (how many times slower, e.g. 10)");
        ok = false;
      }
    }
    if (kind == "fail") {
      if (const YNode* n = f.find("rate")) {
        auto v = read_quantity(*n, Unit::Fraction, path + ".rate", diags, 0, 1);
        ok     = ok && v.has_value();
        spec.rate = v.value_or(0);
      } else {
        diags.error(f.loc, path, "missing 'rate:' (the share of calls that fail, e.g. 30%)");
        ok = false;
      }
    }
    const YNode* crash = target;
    if (!crash->is_scalar() || !parse_crash_target(crash->scalar, spec.component, spec.replicas)) {
      diags.error(crash->loc, path + "." + kind,
                  "expected a component, or a component and a replica index such as 'cache[0]', got " +
                      crash->describe());
      continue;
    }
    if (kind == "fail" && !spec.replicas.empty()) {
      diags.error(crash->loc, path + ".fail", "a fail fault acts on every call to the component; drop the replica");
      continue;
    }
    if (const YNode* r = f.find("replica")) {
      auto v = read_quantity(*r, Unit::Count, path + ".replica", diags, 0, 1e6, true);
      if (!v)
        continue;
      if (!spec.replicas.empty()) {
        diags.error(r->loc, path + ".replica", "the replica is given twice (in '" + kind + ":' and in 'replica:')");
        continue;
      }
      spec.replicas.push_back(static_cast<size_t>(*v));
    }
    if (unusable.count(spec.component))
      continue;
    const ComponentSpec* comp = sc.component(spec.component);
    if (!comp) {
      std::string hint = did_you_mean(spec.component, names);
      diags.error(crash->loc, path + "." + kind,
                  fmt::format("unknown component '{}'; expected one of {}{}", spec.component, list_names(names),
                              hint.empty() ? "" : "; " + hint));
      continue;
    }
    const ModelSpec* model = catalog.find(comp->model);
    if (model && model->replica_count && !spec.replicas.empty()) {
      size_t count = model->replica_count(comp->params);
      if (spec.replicas.front() >= count) {
        diags.error(crash->loc, path + "." + kind,
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
