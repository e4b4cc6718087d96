#include "sim/scenario/loader.h"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <functional>
#include <map>
#include <set>

#include "sim/scenario/graph_reader.h"
#include "sim/scenario/readers.h"

namespace archsim {

const ModelSpec* ModelCatalog::find(const std::string& name) const
{
  for (const auto* m : models)
    if (m->name == name)
      return m;
  return nullptr;
}

std::vector<std::string> ModelCatalog::names(bool placed_only) const
{
  std::vector<std::string> out;
  for (const auto* m : models)
    if (!placed_only || m->placed)
      out.push_back(m->name);
  return out;
}

const ComponentSpec* Scenario::component(const std::string& n) const
{
  for (const auto& c : components)
    if (c.name == n)
      return &c;
  return nullptr;
}

const KeySpaceSpec* Scenario::key_space(const std::string& n) const
{
  for (const auto& k : data)
    if (k.name == n)
      return &k;
  return nullptr;
}

const ComponentFlowSpec* Scenario::component_flow(const std::string& n) const
{
  for (const auto& f : component_flows)
    if (f.name == n)
      return &f;
  return nullptr;
}

std::vector<std::string> Scenario::measured_class_names() const
{
  std::vector<std::string> out;
  for (const auto& rc : workload)
    out.push_back(rc.name);
  for (const auto& f : component_flows)
    out.push_back(f.name);
  return out;
}

namespace {

const std::vector<std::string> kTopKeys{"archsim",  "name", "title", "design", "description", "run",  "platform",
                                        "components", "data", "workload", "flows", "variants", "targets", "faults",
                                        "graphs"};

// Bound on the entries of each named section. Real scenarios have tens; the bound keeps the
// checks that compare names across sections (flows used by classes, references, targets) cheap
// whatever the input.
constexpr size_t kMaxEntries = 1000;

bool within_limits(const YNode& root, Diagnostics& diags)
{
  static const std::vector<std::pair<std::string, std::string>> sections{
      {"components", "components"}, {"workload", "request classes"}, {"flows", "flows"},
      {"data", "key spaces"},       {"variants", "variants"},        {"targets", "targets"},
      {"faults", "faults"},         {"graphs", "graphs"}};
  bool ok = true;
  auto check = [&](const YNode* n, const std::string& path, const std::string& what) {
    size_t size = n ? (n->is_map() ? n->entries.size() : n->items.size()) : 0;
    if (size > kMaxEntries) {
      diags.error(n->loc, path, fmt::format("expected at most {} {}, got {}", kMaxEntries, what, size));
      ok = false;
    }
  };
  for (const auto& [key, what] : sections)
    check(root.find(key), key, what);
  if (const YNode* platform = root.find("platform"))
    check(platform->find("datacenters"), "platform.datacenters", "datacenters");
  return ok;
}

// --fault TEXT: one fault in YAML flow style, appended to the scenario's faults (errors point
// into "--fault N").
void append_cli_fault(YNode& root, const std::string& text, size_t index, Diagnostics& diags)
{
  std::string name = fmt::format("--fault {}", index + 1);
  Diagnostics parse;
  YNode fault = load_yaml_text(text, name, parse);
  if (!parse.ok() || !fault.is_map()) {
    diags.error(SourceLoc{name, 0, 0}, "",
                "expected a fault such as '{at: 30s, crash: db, replica: 0, for: 10s}', got " + text);
    return;
  }
  YNode* faults = nullptr;
  for (auto& e : root.entries)
    if (e.key == "faults")
      faults = &e.value;
  if (!faults) {
    YEntry e;
    e.key        = "faults";
    e.value.kind = YNode::Kind::Sequence;
    e.value.loc  = fault.loc;
    root.entries.push_back(std::move(e));
    faults = &root.entries.back().value;
  }
  if (!faults->is_seq())
    return;  // reported by the faults reader
  faults->items.push_back(std::move(fault));
}

// --set a.b.c=value: builds {a: {b: {c: value}}} and merges it like a variant patch.
void apply_set(YNode& root, const std::string& path, const std::string& value, Diagnostics& diags)
{
  SourceLoc loc{"--set " + path, 0, 0};
  if (path.empty() || path.front() == '.' || path.back() == '.' || path.find("..") != std::string::npos) {
    diags.error(loc, "", "expected --set path.to.key=value, got an empty path element");
    return;
  }
  Diagnostics value_diags;
  YNode leaf = load_yaml_text(value, "--set " + path, value_diags);
  if (!value_diags.ok()) {
    diags.error(loc, "", "the value is not valid YAML: " + value);
    return;
  }
  if (leaf.is_null())
    leaf.kind = YNode::Kind::Scalar;  // "--set x=" sets an empty string, never deletes
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    parts.push_back(path.substr(start, dot - start));
    if (dot == std::string::npos)
      break;
    start = dot + 1;
  }
  // Check that the path exists up to its parent: a misspelt --set must not pass silently. (Keys
  // below the top level are checked by the section readers; the top level is checked here.)
  if (std::find(kTopKeys.begin(), kTopKeys.end(), parts.front()) == kTopKeys.end()) {
    std::string hint = did_you_mean(parts.front(), kTopKeys);
    diags.error(loc, "", fmt::format("unknown top-level key '{}'; expected one of {}{}", parts.front(),
                                     list_names(kTopKeys), hint.empty() ? "" : "; " + hint));
    return;
  }
  const YNode* cur = &root;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    cur = cur->is_map() ? cur->find(parts[i]) : nullptr;
    if (!cur) {
      diags.error(loc, "", fmt::format("no '{}' in the scenario (the path must exist up to its last key)",
                                       fmt::join(parts.begin(), parts.begin() + i + 1, ".")));
      return;
    }
  }
  YNode patch = leaf;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    YNode map;
    map.kind = YNode::Kind::Map;
    map.loc  = loc;
    map.entries.push_back({*it, loc, patch});
    patch = map;
  }
  merge_patch(root, patch);
}

// Applies the named variants in order; a variant may itself extend others first. Unknown names
// given on the command line are reported here; unknown parents, cycles and malformed patches
// are reported by read_variant_infos for every variant, applied or not.
void apply_variants(YNode& root, const std::vector<std::string>& names, Diagnostics& diags,
                    std::vector<std::string>& applied)
{
  const YNode* variants = root.find("variants");
  std::vector<std::string> known;
  if (variants && variants->is_map())
    for (const auto& e : variants->entries)
      known.push_back(e.key);
  std::vector<YNode> patches;
  std::set<std::string> visiting;
  std::function<void(const std::string&, bool)> collect = [&](const std::string& name, bool from_cli) {
    if (std::find(applied.begin(), applied.end(), name) != applied.end())
      return;
    const YNode* v = (variants && variants->is_map()) ? variants->find(name) : nullptr;
    if (!v || !v->is_map()) {
      if (from_cli) {
        std::string hint = did_you_mean(name, known);
        diags.error(SourceLoc{"--variant " + name, 0, 0}, "variants",
                    fmt::format("unknown variant '{}'; this scenario has {}{}", name, list_names(known),
                                hint.empty() ? "" : "; " + hint));
      }
      return;
    }
    if (!visiting.insert(name).second)
      return;  // a cycle through 'extends'
    if (const YNode* ext = v->find("extends")) {
      if (ext->is_scalar())
        collect(ext->scalar, false);
      else if (ext->is_seq())
        for (const auto& p : ext->items)
          if (p.is_scalar())
            collect(p.scalar, false);
    }
    if (const YNode* patch = v->find("patch"))
      patches.push_back(*patch);
    applied.push_back(name);
  };
  for (const auto& n : names)
    collect(n, true);
  for (const auto& p : patches)
    if (p.is_map())
      merge_patch(root, p);
}

// The parents named by a variant's `extends:` (a name or a list of names), with their nodes.
std::vector<const YNode*> variant_parents(const YNode& variant)
{
  std::vector<const YNode*> out;
  if (const YNode* ext = variant.find("extends")) {
    if (ext->is_seq())
      for (const auto& p : ext->items)
        out.push_back(&p);
    else
      out.push_back(ext);
  }
  return out;
}

// Reports each cycle through `extends:` once, at the 'extends' entry that closes it.
void check_variant_cycles(const YNode& node, Diagnostics& diags)
{
  std::map<std::string, int> state;  // 0 unvisited, 1 on the path, 2 done
  std::vector<std::string> trail;
  std::function<void(const std::string&)> visit = [&](const std::string& name) {
    const YNode* v = node.find(name);
    if (!v || !v->is_map() || state[name] == 2)
      return;
    state[name] = 1;
    trail.push_back(name);
    for (const YNode* p : variant_parents(*v)) {
      if (!p->is_scalar())
        continue;
      if (state[p->scalar] == 1) {
        auto from = std::find(trail.begin(), trail.end(), p->scalar);
        diags.error(p->loc, "variants." + name + ".extends",
                    fmt::format("variant extends itself: {} -> {}", fmt::join(from, trail.end(), " -> "), p->scalar));
      } else {
        visit(p->scalar);
      }
    }
    trail.pop_back();
    state[name] = 2;
  };
  for (const auto& e : node.entries)
    visit(e.key);
}

void read_variant_infos(const YNode& node, Scenario& sc, Diagnostics& diags)
{
  if (!expect_map(node, "variants", diags))
    return;
  std::vector<std::string> known;
  for (const auto& e : node.entries)
    known.push_back(e.key);
  for (const auto& e : node.entries) {
    std::string path = "variants." + e.key;
    check_identifier(e.key, e.key_loc, path, diags);
    if (!expect_map(e.value, path, diags))
      continue;
    check_keys(e.value, {"description", "extends", "patch"}, path, diags);
    VariantInfo info{e.key, ""};
    if (const YNode* d = e.value.find("description"))
      if (auto t = read_text(*d, path + ".description", diags))
        info.description = *t;
    if (!e.value.find("patch") && !e.value.find("extends"))
      diags.error(e.value.loc, path, "expected a 'patch:' (the changes this variant makes) or 'extends:'");
    for (const YNode* p : variant_parents(e.value)) {
      if (!p->is_scalar()) {
        diags.error(p->loc, path + ".extends", "expected a variant name or a list of names, got " + p->describe());
      } else if (std::find(known.begin(), known.end(), p->scalar) == known.end()) {
        std::string hint = did_you_mean(p->scalar, known);
        diags.error(p->loc, path + ".extends",
                    fmt::format("no variant named '{}'; this scenario has {}{}", p->scalar, list_names(known),
                                hint.empty() ? "" : "; " + hint));
      }
    }
    if (const YNode* patch = e.value.find("patch")) {
      if (!patch->is_map())
        diags.error(patch->loc, path + ".patch",
                    "expected a mapping of scenario keys to change, got " + patch->describe());
      else
        check_keys(*patch, kTopKeys, path + ".patch", diags);
    }
    sc.variants.push_back(info);
  }
  check_variant_cycles(node, diags);
}

// The platform is read before the components, so a datacenter name is checked where it is written.
void check_datacenter(const YNode& node, const PlatformSpec& platform, const std::string& path, Diagnostics& diags)
{
  std::vector<std::string> names;
  for (const auto& d : platform.datacenters)
    names.push_back(d.name);
  if (std::find(names.begin(), names.end(), node.scalar) != names.end())
    return;
  std::string hint = did_you_mean(node.scalar, names);
  diags.error(node.loc, path,
              fmt::format("no datacenter named '{}' under platform.datacenters; expected one of {}{}", node.scalar,
                          list_names(names), hint.empty() ? "" : "; " + hint));
}

void read_components(const YNode& node, Scenario& sc, const ModelCatalog& catalog, Diagnostics& diags,
                     std::set<std::string>& unusable)
{
  if (!expect_map(node, "components", diags))
    return;
  std::vector<std::string> placed = catalog.names(true);
  for (const auto& e : node.entries) {
    std::string path = "components." + e.key;
    check_identifier(e.key, e.key_loc, path, diags);
    if (!expect_map(e.value, path, diags))
      continue;
    const YNode* model = e.value.find("model");
    if (!model) {
      diags.error(e.value.loc, path, "missing 'model:'; expected one of " + list_names(placed));
      unusable.insert(e.key);
      continue;
    }
    const ModelSpec* spec = model->is_scalar() ? catalog.find(model->scalar) : nullptr;
    if (!spec || !spec->placed) {
      std::string hint = model->is_scalar() ? did_you_mean(model->scalar, placed) : "";
      diags.error(model->loc, path + ".model",
                  fmt::format("unknown model {}; expected one of {}{}", model->describe(), list_names(placed),
                              hint.empty() ? "" : "; " + hint));
      unusable.insert(e.key);
      continue;
    }
    ComponentSpec c;
    c.name   = e.key;
    c.model  = spec->name;
    c.loc    = e.key_loc;
    c.params = read_params(*spec, e.value, path, diags, {"model", "datacenter"});
    if (const YNode* dc = e.value.find("datacenter"))
      if (auto t = read_text(*dc, path + ".datacenter", diags)) {
        c.datacenter = *t;
        check_datacenter(*dc, sc.platform, path + ".datacenter", diags);
      }
    sc.components.push_back(std::move(c));
  }
}

void read_workload(const YNode& node, const YNode* flows, Scenario& sc, const ModelCatalog& catalog,
                   Diagnostics& diags, const std::set<std::string>& unusable)
{
  const ModelSpec* client = catalog.find("client");
  if (!expect_map(node, "workload", diags) || !client)
    return;
  if (node.entries.empty())
    diags.error(node.loc, "workload", "expected at least one request class");
  for (const auto& e : node.entries) {
    std::string path = "workload." + e.key;
    check_identifier(e.key, e.key_loc, path, diags);
    if (!expect_map(e.value, path, diags))
      continue;
    RequestClassSpec rc;
    rc.name      = e.key;
    rc.loc       = e.key_loc;
    rc.params    = read_params(*client, e.value, path, diags, {"flow"});
    rc.key_space = rc.params.has("key") ? rc.params.text("key") : "";
    std::string flow_name = e.key;
    if (const YNode* f = e.value.find("flow"))
      if (auto t = read_text(*f, path + ".flow", diags))
        flow_name = *t;
    const YNode* flow = (flows && flows->is_map()) ? flows->find(flow_name) : nullptr;
    if (!flow)
      diags.error(e.key_loc, path,
                  fmt::format("no flow named '{}' under 'flows:' (a request class runs the flow of its name, or "
                              "the one named by 'flow:')",
                              flow_name));
    else
      rc.flow = read_flow(*flow, "flows." + flow_name, sc, catalog, diags, unusable);
    sc.workload.push_back(std::move(rc));
  }
}

// Flows that components run themselves (flow parameters of their models): each must exist, be
// run by one component only and by no request class, since its measurements go under its name.
void read_component_flows(const YNode* flows, const YNode* workload, Scenario& sc, const ModelCatalog& catalog,
                          Diagnostics& diags, const std::set<std::string>& unusable)
{
  std::map<std::string, std::string> class_of_flow;  // flows run by request classes
  if (workload && workload->is_map())
    for (const auto& w : workload->entries) {
      const YNode* f = w.value.is_map() ? w.value.find("flow") : nullptr;
      class_of_flow[f && f->is_scalar() ? f->scalar : w.key] = w.key;
    }
  std::vector<std::string> flow_names;
  if (flows && flows->is_map())
    for (const auto& e : flows->entries)
      flow_names.push_back(e.key);
  for (const auto& c : sc.components) {
    const ModelSpec* model = catalog.find(c.model);
    for (const auto& p : model->params) {
      if (p.kind != ParamKind::FlowRef || !c.params.has(p.name) || c.params.text(p.name).empty())
        continue;
      const std::string& name = c.params.text(p.name);
      std::string path        = "components." + c.name + "." + p.name;
      const YNode* flow       = flows && flows->is_map() ? flows->find(name) : nullptr;
      if (!flow) {
        std::string hint = did_you_mean(name, flow_names);
        diags.error(c.loc, path,
                    fmt::format("no flow named '{}' under 'flows:'{}", name, hint.empty() ? "" : "; " + hint));
        continue;
      }
      if (auto it = class_of_flow.find(name); it != class_of_flow.end()) {
        diags.error(c.loc, path,
                    fmt::format("flow '{}' is already run by request class '{}'; give the component a flow of its "
                                "own (its measurements are reported under the flow's name)",
                                name, it->second));
        continue;
      }
      if (const ComponentFlowSpec* other = sc.component_flow(name)) {
        diags.error(c.loc, path,
                    fmt::format("flow '{}' is already run by component '{}'; give each component a flow of its own",
                                name, other->component));
        continue;
      }
      if (sc.component(name)) {
        diags.error(c.loc, path, fmt::format("flow '{}' has the name of a component (targets would be ambiguous)", name));
        continue;
      }
      ComponentFlowSpec spec;
      spec.name      = name;
      spec.component = c.name;
      spec.loc       = c.loc;
      spec.flow      = read_flow(*flow, "flows." + name, sc, catalog, diags, unusable);
      sc.component_flows.push_back(std::move(spec));
    }
  }
}

// Checks every component and key-space reference held in parameters, now that all are known.
// Errors point at the value as written (`root` is the tree after variants and --set).
void check_references(const YNode& root, Scenario& sc, const ModelCatalog& catalog, Diagnostics& diags,
                      const std::set<std::string>& unusable)
{
  auto where = [&](const std::string& section, const std::string& name, const std::string& key,
                   const SourceLoc& fallback) {
    const YNode* s = root.find(section);
    const YNode* e = s ? s->find(name) : nullptr;
    const YNode* v = e ? e->find(key) : nullptr;
    return v ? v->loc : fallback;
  };
  std::vector<std::string> comp_names, ks_names;
  for (const auto& c : sc.components)
    comp_names.push_back(c.name);
  for (const auto& k : sc.data)
    ks_names.push_back(k.name);
  auto check = [&](const ModelSpec& spec, const ParamValues& params, const std::string& section,
                   const std::string& name, const SourceLoc& entry_loc) {
    std::string path = section + "." + name;
    for (const auto& p : spec.params) {
      if (p.kind != ParamKind::ComponentRef && p.kind != ParamKind::KeySpaceRef)
        continue;
      const std::string& v = params.has(p.name) ? params.text(p.name) : "";
      if (v.empty())
        continue;
      SourceLoc loc = where(section, name, p.name, entry_loc);
      if (p.kind == ParamKind::ComponentRef && path == "components." + v) {
        diags.error(loc, path + "." + p.name, "a component cannot refer to itself");
        continue;
      }
      const auto& names = p.kind == ParamKind::ComponentRef ? comp_names : ks_names;
      if (p.kind == ParamKind::ComponentRef && unusable.count(v))
        continue;  // its declaration is wrong, and was reported
      if (std::find(names.begin(), names.end(), v) == names.end()) {
        std::string hint = did_you_mean(v, names);
        diags.error(loc, path + "." + p.name,
                    fmt::format("no {} named '{}'; expected one of {}{}",
                                p.kind == ParamKind::ComponentRef ? "component" : "key space under 'data:'", v,
                                list_names(names), hint.empty() ? "" : "; " + hint));
      }
    }
  };
  for (const auto& c : sc.components)
    check(*catalog.find(c.model), c.params, "components", c.name, c.loc);
  if (const ModelSpec* client = catalog.find("client"))
    for (const auto& rc : sc.workload)
      check(*client, rc.params, "workload", rc.name, rc.loc);
  for (const auto& c : sc.components)
    if (sc.key_space(c.name))
      diags.error(c.loc, "components." + c.name, "a component and a key space share this name");
  for (const auto& rc : sc.workload)
    if (sc.component(rc.name))
      diags.error(rc.loc, "workload." + rc.name, "a request class and a component share this name (targets would be ambiguous)");
}

// Every closed-loop user is a SimGrid actor with its own stack, and the kernel's default
// vm.max_map_count (65530) caps a process near 32K of them (simgrid-notes.md).
void check_actor_budget(const Scenario& sc, Diagnostics& diags)
{
  double users = 0;
  for (const auto& rc : sc.workload)
    if (rc.params.has("arrivals") && rc.params.text("arrivals") == "closed" && rc.params.has("users"))
      users += rc.params.number("users");
  if (users > kMaxClosedUsers)
    diags.error(sc.workload.front().loc, "workload",
                fmt::format("{:g} closed-loop users in all; at most {} fit in one run (each is a simulated "
                            "actor, and the kernel limits a process to about 32K of them)",
                            users, kMaxClosedUsers));
}

std::optional<Scenario> build(YNode root, const std::string& file, const ModelCatalog& catalog,
                              const LoadOptions& options, Diagnostics& diags)
{
  if (root.is_null()) {
    if (diags.ok())
      diags.error({file, 0, 0}, "", "empty scenario; expected a mapping with 'archsim: 1', 'name:', 'workload:' and 'flows:'");
    return std::nullopt;
  }
  if (!root.is_map()) {
    diags.error(root.loc, "", "expected a scenario mapping at the top level, got " + root.describe());
    return std::nullopt;
  }
  // Unknown top-level keys are checked here, in variant patches (read_variant_infos) and in
  // --set paths (apply_set): each is reported once, where it is written.
  check_keys(root, kTopKeys, "", diags);
  if (!within_limits(root, diags))
    return std::nullopt;
  Scenario sc;
  sc.file = file;
  // Variants and overrides act on the tree, so that errors in them point into the file.
  if (const YNode* v = root.find("variants"))
    read_variant_infos(*v, sc, diags);
  apply_variants(root, options.variants, diags, sc.variants_applied);
  for (const auto& [path, value] : options.sets)
    apply_set(root, path, value, diags);
  for (size_t i = 0; i < options.faults.size(); ++i)
    append_cli_fault(root, options.faults[i], i, diags);
  if (!within_limits(root, diags))  // a patch may have grown a section
    return std::nullopt;

  const YNode* version = root.find("archsim");
  if (!version)
    diags.error(root.loc, "archsim", "missing 'archsim: 1' (the scenario format version)");
  else if (!version->is_scalar() || version->scalar != "1")
    diags.error(version->loc, "archsim", "expected format version 1, got " + version->describe());
  if (const YNode* n = root.find("name")) {
    if (auto t = read_text(*n, "name", diags)) {
      sc.name = *t;
      check_identifier(sc.name, n->loc, "name", diags);
    }
  } else {
    diags.error(root.loc, "name", "missing 'name:' (an identifier for the scenario)");
  }
  if (const YNode* n = root.find("title"))
    if (auto t = read_text(*n, "title", diags))
      sc.title = *t;
  if (const YNode* n = root.find("description"))
    if (auto t = read_text(*n, "description", diags))
      sc.description = *t;
  if (const YNode* n = root.find("design"))
    if (auto v = read_quantity(*n, Unit::Count, "design", diags, 0, 36, true))
      sc.design = static_cast<int>(*v);
  size_t errors_before_run = diags.items().size();
  if (const YNode* n = root.find("run"))
    read_run(*n, sc.run, diags);
  bool run_ok = diags.items().size() == errors_before_run;
  read_platform(root.find("platform"), sc.platform, diags);
  if (const YNode* n = root.find("data"))
    read_data(*n, sc, diags);
  if (const YNode* n = root.find("graphs"))
    read_graphs(*n, sc.graphs, diags);
  std::set<std::string> unusable;  // declared components that could not be read
  if (const YNode* n = root.find("components"))
    read_components(*n, sc, catalog, diags, unusable);
  const YNode* flows = root.find("flows");
  if (flows && !flows->is_map())
    diags.error(flows->loc, "flows", "expected a mapping of flow names to lists of steps, got " + flows->describe());
  if (const YNode* n = root.find("workload"))
    read_workload(*n, flows, sc, catalog, diags, unusable);
  else
    diags.error(root.loc, "workload", "missing 'workload:' (at least one request class)");
  const YNode* workload = root.find("workload");
  read_component_flows(flows, workload, sc, catalog, diags, unusable);
  // A flow is used by the class of its name, by one that names it with 'flow:', or by a
  // component's flow parameter. Read from the tree, so that a class with an error elsewhere
  // still counts as using its flow.
  if (flows && flows->is_map() && workload && workload->is_map()) {
    std::set<std::string> used;
    for (const auto& w : workload->entries) {
      const YNode* f = w.value.is_map() ? w.value.find("flow") : nullptr;
      used.insert(f && f->is_scalar() ? f->scalar : w.key);
    }
    for (const auto& c : sc.components)
      for (const auto& p : catalog.find(c.model)->params)
        if (p.kind == ParamKind::FlowRef && c.params.has(p.name))
          used.insert(c.params.text(p.name));
    for (const auto& e : flows->entries)
      if (!used.count(e.key))
        diags.error(e.key_loc, "flows." + e.key,
                    "flow is not used by any request class under 'workload:' (nor run by a component)");
  }
  check_references(root, sc, catalog, diags, unusable);
  if (const YNode* n = root.find("targets"))
    read_targets(*n, sc, catalog, diags, unusable);
  if (const YNode* n = root.find("faults"))
    read_faults(*n, sc, catalog, diags, unusable);
  check_actor_budget(sc, diags);

  if (options.seed)
    sc.run.seed = *options.seed;
  sc.graphs.apply_run_seed(sc.run.seed);
  if (options.duration)
    sc.run.duration = *options.duration;
  if (options.warmup)
    sc.run.warmup = *options.warmup;
  const YNode* run     = root.find("run");
  const YNode* warm_up = run && run->is_map() ? run->find("warmup") : nullptr;
  // A warm-up nobody chose for this length of run (the default, or the file's when --duration
  // shortens the run) keeps a proportional share of a short run; a chosen one must fit.
  if (sc.run.warmup >= sc.run.duration && !options.warmup && (options.duration || !warm_up))
    sc.run.warmup = sc.run.duration / 5;
  if (run_ok && sc.run.warmup >= sc.run.duration)
    diags.error(options.warmup ? SourceLoc{"--warmup", 0, 0} : warm_up ? warm_up->loc : run ? run->loc : root.loc,
                "run.warmup",
                fmt::format("expected a warm-up shorter than the duration ({}), got {}",
                            format_duration(sc.run.duration), format_duration(sc.run.warmup)));
  if (!diags.ok())
    return std::nullopt;
  return sc;
}

}  // namespace

std::optional<Scenario> load_scenario_text(const std::string& text, const std::string& name,
                                           const ModelCatalog& catalog, const LoadOptions& options,
                                           Diagnostics& diags)
{
  YNode root = load_yaml_text(text, name, diags);
  if (!diags.ok())
    return std::nullopt;
  return build(std::move(root), name, catalog, options, diags);
}

std::optional<Scenario> load_scenario(const std::string& path, const ModelCatalog& catalog,
                                      const LoadOptions& options, Diagnostics& diags)
{
  YNode root = load_yaml_file(path, diags);
  if (!diags.ok())
    return std::nullopt;
  return build(std::move(root), path, catalog, options, diags);
}

}  // namespace archsim
