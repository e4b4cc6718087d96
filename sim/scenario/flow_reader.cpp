// Reader for flows: what one request does, step by step (see docs/scenario-format.md).
#include <algorithm>
#include <fmt/format.h>

#include "sim/scenario/loader.h"
#include "sim/scenario/readers.h"

namespace archsim {

namespace {

const std::vector<std::string> kRetryKeys{"timeout", "retries", "backoff", "backoff_max", "jitter"};
const std::vector<std::string> kSizeKeys{"request", "response"};
// Bound on nested step lists (call bodies, outcomes, branches). Real flows nest a handful of
// levels; the bound keeps a hostile flow (thousands of `call:` steps in a row, each nesting the
// rest) from exhausting the loader's stack, and the engine's small actor stacks when it walks it.
constexpr size_t kMaxFlowDepth = 32;

class FlowReader {
public:
  FlowReader(const Scenario& sc, const ModelCatalog& catalog, Diagnostics& diags,
             const std::set<std::string>& unusable)
      : sc_(sc), catalog_(catalog), diags_(diags), unusable_(unusable)
  {
  }

  std::vector<Step> read_list(const YNode& node, const std::string& path)
  {
    std::vector<Step> out;
    if (!node.is_seq()) {
      diags_.error(node.loc, path, "expected a list of steps, got " + node.describe());
      return out;
    }
    read_from(node.items, 0, path, out);
    return out;
  }

private:
  // Reads items[i..]; a `call: X` without `steps:` takes the rest of the list as its body.
  void read_from(const std::vector<YNode>& items, size_t i, const std::string& path, std::vector<Step>& out)
  {
    if (depth_ >= kMaxFlowDepth) {
      if (i < items.size())
        diags_.error(items[i].loc, fmt::format("{}[{}]", path, i),
                     fmt::format("flow nested too deeply (more than {} levels; each `call:` without `steps:` "
                                 "nests the rest of its list)",
                                 kMaxFlowDepth));
      return;
    }
    ++depth_;
    read_items(items, i, path, out);
    --depth_;
  }

  void read_items(const std::vector<YNode>& items, size_t i, const std::string& path, std::vector<Step>& out)
  {
    for (; i < items.size(); ++i) {
      std::string spath = fmt::format("{}[{}]", path, i);
      auto step         = read_step(items[i], spath);
      if (!step)
        continue;
      bool enters = step->kind == Step::Kind::Call && !items[i].find("steps");
      out.push_back(std::move(*step));
      if (enters) {
        read_from(items, i + 1, path, out.back().body);
        return;
      }
    }
  }

  std::vector<std::string> component_names() const
  {
    std::vector<std::string> names;
    for (const auto& c : sc_.components)
      names.push_back(c.name);
    return names;
  }

  bool check_target(const YNode& node, const std::string& op, const std::string& path, std::string& out)
  {
    if (!node.is_scalar()) {
      diags_.error(node.loc, path, "expected a component name, got " + node.describe());
      return false;
    }
    const ComponentSpec* c = sc_.component(node.scalar);
    if (!c && unusable_.count(node.scalar))
      return false;  // its declaration is wrong, and was reported
    if (!c) {
      auto names       = component_names();
      std::string hint = did_you_mean(node.scalar, names);
      diags_.error(node.loc, path,
                   fmt::format("no component named '{}'; expected one of {}{}", node.scalar, list_names(names),
                               hint.empty() ? "" : "; " + hint));
      return false;
    }
    const ModelSpec* spec = catalog_.find(c->model);
    if (spec && !spec->supports(op)) {
      diags_.error(node.loc, path,
                   fmt::format("component '{}' (model {}) does not answer '{}'; it answers {}", c->name, c->model, op,
                               list_names(spec->operation_names())));
      return false;
    }
    out = node.scalar;
    return true;
  }

  void read_retry(const YNode& node, const std::string& path, Step& step)
  {
    bool any = std::any_of(kRetryKeys.begin(), kRetryKeys.end(), [&](const std::string& k) { return node.find(k); });
    if (!any)
      return;
    RetryPolicy r;
    if (const YNode* n = node.find("timeout"))
      if (auto v = read_quantity(*n, Unit::Duration, path + ".timeout", diags_, 1e-9))
        r.timeout = *v;
    if (const YNode* n = node.find("retries"))
      if (auto v = read_quantity(*n, Unit::Count, path + ".retries", diags_, 0, 100, true))
        r.retries = static_cast<int>(*v);
    if (const YNode* n = node.find("backoff"))
      if (auto v = read_quantity(*n, Unit::Duration, path + ".backoff", diags_, 0))
        r.backoff = *v;
    if (const YNode* n = node.find("backoff_max"))
      if (auto v = read_quantity(*n, Unit::Duration, path + ".backoff_max", diags_, 0))
        r.backoff_max = *v;
    if (const YNode* n = node.find("jitter"))
      if (auto v = read_quantity(*n, Unit::Fraction, path + ".jitter", diags_, 0, 1))
        r.jitter = *v;
    step.retry = r;
  }

  void read_sizes(const YNode& node, const std::string& path, Step& step)
  {
    if (const YNode* n = node.find("request"))
      if (auto v = read_quantity(*n, Unit::Size, path + ".request", diags_, 0, 1e12))
        step.request_bytes = *v;
    if (const YNode* n = node.find("response"))
      if (auto v = read_quantity(*n, Unit::Size, path + ".response", diags_, 0, 1e12))
        step.response_bytes = *v;
  }

  std::optional<Step> read_step(const YNode& node, const std::string& path)
  {
    if (!node.is_map() || node.entries.empty()) {
      diags_.error(node.loc, path,
                   "expected a step such as {call: app}, {parallel: [...]}, {branch: [...]} or {fanout: graph}, got " + node.describe());
      return std::nullopt;
    }
    Step step;
    step.loc = node.loc;
    // The verb is the first key; the others are its options.
    const YEntry& verb = node.entries.front();
    if (verb.key == "call") {
      std::vector<std::string> keys{"call", "steps"};
      keys.insert(keys.end(), kRetryKeys.begin(), kRetryKeys.end());
      keys.insert(keys.end(), kSizeKeys.begin(), kSizeKeys.end());
      check_keys(node, keys, path, diags_);
      step.kind = Step::Kind::Call;
      if (!check_target(verb.value, "call", path + ".call", step.component))
        return std::nullopt;
      read_retry(node, path, step);
      read_sizes(node, path, step);
      if (const YNode* body = node.find("steps"))
        step.body = read_list(*body, path + ".steps");
      return step;
    }
    if (verb.key == "parallel")
      return read_parallel(node, verb, path);
    if (verb.key == "branch")
      return read_branch(node, verb, path);
    if (verb.key == "fanout")
      return read_fanout(node, verb, path);
    if (verb.key == "steps" || verb.key.rfind("on_", 0) == 0 ||
        std::find(kRetryKeys.begin(), kRetryKeys.end(), verb.key) != kRetryKeys.end()) {
      diags_.error(verb.key_loc, path,
                   fmt::format("a step must start with its verb (call, parallel, branch, fanout or a data operation), got "
                               "'{}' first",
                               verb.key));
      return std::nullopt;
    }
    // A data operation of the target component's model: `get: cache`, `incr: counter`.
    step.kind = Step::Kind::Op;
    step.op   = verb.key;
    if (!verb.value.is_scalar() || !sc_.component(verb.value.scalar)) {
      if (verb.value.is_scalar())
        check_target(verb.value, step.op, path + "." + verb.key, step.component);
      else
        diags_.error(verb.value.loc, path + "." + verb.key, "expected a component name, got " + verb.value.describe());
      return std::nullopt;
    }
    if (!check_target(verb.value, step.op, path + "." + verb.key, step.component))
      return std::nullopt;
    const OperationSpec& op = *catalog_.find(sc_.component(step.component)->model)->operation(step.op);
    // The operation's own options are checked like a model's parameters; the step's generic
    // keys (retries, sizes, key, handlers) are reserved.
    std::vector<std::string> reserved{verb.key, "key"};
    reserved.insert(reserved.end(), kRetryKeys.begin(), kRetryKeys.end());
    reserved.insert(reserved.end(), kSizeKeys.begin(), kSizeKeys.end());
    std::vector<std::string> handlers{"on_error", "on_timeout"};
    for (const auto& o : op.outcomes)
      handlers.push_back("on_" + o);
    reserved.insert(reserved.end(), handlers.begin(), handlers.end());
    if (op.block)
      reserved.push_back("steps");
    ModelSpec options;
    options.name   = step.op;
    options.params = op.options;
    step.args      = read_params(options, node, path, diags_, reserved);
    read_retry(node, path, step);
    read_sizes(node, path, step);
    if (const YNode* k = node.find("key")) {
      std::vector<std::string> spaces;
      for (const auto& ks : sc_.data)
        spaces.push_back(ks.name);
      if (k->is_scalar() && sc_.key_space(k->scalar))
        step.key_space = k->scalar;
      else
        diags_.error(k->loc, path + ".key",
                     fmt::format("expected a key space under 'data:' ({}), got {}", list_names(spaces), k->describe()));
    }
    if (op.block) {
      if (const YNode* body = node.find("steps"))
        step.body = read_list(*body, path + ".steps");
      else
        diags_.error(node.loc, path, fmt::format("'{}' is a block operation: expected 'steps:' with the statements "
                                                 "it runs (e.g. a transaction's queries)",
                                                 step.op));
    }
    for (const auto& e : node.entries)
      if (std::find(handlers.begin(), handlers.end(), e.key) != handlers.end())
        step.on_outcome[e.key.substr(3)] = read_list(e.value, path + "." + e.key);
    return step;
  }

  std::optional<Step> read_parallel(const YNode& node, const YEntry& verb, const std::string& path)
  {
    check_keys(node, {"parallel", "join", "quorum"}, path, diags_);
    Step step;
    step.kind = Step::Kind::Parallel;
    step.loc  = node.loc;
    if (!verb.value.is_seq() || verb.value.items.size() < 2) {
      diags_.error(verb.value.loc, path + ".parallel",
                   "expected a list of at least two branches (each a step or a list of steps), got " +
                       verb.value.describe());
      return std::nullopt;
    }
    for (size_t i = 0; i < verb.value.items.size(); ++i) {
      const YNode& b    = verb.value.items[i];
      std::string bpath = fmt::format("{}.parallel[{}]", path, i);
      if (b.is_seq()) {
        step.branches.push_back(read_list(b, bpath));
      } else {
        std::vector<Step> one;
        std::vector<YNode> single{b};
        read_from(single, 0, bpath, one);
        step.branches.push_back(std::move(one));
      }
    }
    if (const YNode* j = node.find("join")) {
      if (auto v = read_choice(*j, {"all", "first", "quorum"}, path + ".join", diags_))
        step.join = *v == "all" ? JoinKind::All : *v == "first" ? JoinKind::First : JoinKind::Quorum;
    }
    const YNode* q = node.find("quorum");
    int n          = static_cast<int>(step.branches.size());
    if (step.join == JoinKind::Quorum) {
      if (!q)
        diags_.error(node.loc, path, "join: quorum needs 'quorum: K' (how many branches must succeed)");
      else if (auto v = read_quantity(*q, Unit::Count, path + ".quorum", diags_, 1, n, true))
        step.quorum = static_cast<int>(*v);
    } else if (q) {
      diags_.error(q->loc, path + ".quorum", "'quorum:' only applies with join: quorum");
    }
    step.quorum = step.join == JoinKind::All ? n : step.join == JoinKind::First ? 1 : step.quorum;
    return step;
  }

  // {fanout: GRAPH, of: followers|following, members: ..., subject: ..., concurrency: N,
  //  limit: N, key: SPACE, steps: [...]}
  std::optional<Step> read_fanout(const YNode& node, const YEntry& verb, const std::string& path)
  {
    check_keys(node, {"fanout", "of", "members", "subject", "concurrency", "limit", "key", "steps"}, path, diags_);
    Step step;
    step.kind = Step::Kind::Fanout;
    step.loc  = node.loc;
    FanoutSpec& f = step.fanout;
    std::vector<std::string> graphs;
    for (const auto& g : sc_.graphs.social)
      graphs.push_back(g.name);
    if (!verb.value.is_scalar() || !sc_.graphs.find_social(verb.value.scalar)) {
      diags_.error(verb.value.loc, path + ".fanout",
                   fmt::format("expected the name of a social graph under 'graphs:' ({}), got {}",
                               graphs.empty() ? "there is none" : list_names(graphs), verb.value.describe()));
      return std::nullopt;
    }
    f.graph = verb.value.scalar;
    if (const YNode* n = node.find("of"))
      if (auto v = read_choice(*n, {"followers", "following"}, path + ".of", diags_))
        f.of = *v == "followers" ? FanoutSpec::Of::Followers : FanoutSpec::Of::Following;
    if (const YNode* n = node.find("members"))
      if (auto v = read_choice(*n, {"all", "active", "inactive", "celebrities", "regular"}, path + ".members", diags_))
        f.members = *v == "all"          ? FanoutSpec::Members::All
                    : *v == "active"     ? FanoutSpec::Members::Active
                    : *v == "inactive"   ? FanoutSpec::Members::Inactive
                    : *v == "celebrities" ? FanoutSpec::Members::Celebrities
                                          : FanoutSpec::Members::Regular;
    if (const YNode* n = node.find("subject"))
      if (auto v = read_choice(*n, {"any", "regular", "celebrity"}, path + ".subject", diags_))
        f.subject = *v == "any" ? FanoutSpec::Subject::Any
                    : *v == "regular" ? FanoutSpec::Subject::Regular
                                      : FanoutSpec::Subject::Celebrity;
    if (const YNode* n = node.find("concurrency"))
      if (auto v = read_quantity(*n, Unit::Count, path + ".concurrency", diags_, 1, 1024, true))
        f.concurrency = static_cast<size_t>(*v);
    if (const YNode* n = node.find("limit"))
      if (auto v = read_quantity(*n, Unit::Count, path + ".limit", diags_, 1, 1e12, true))
        f.limit = static_cast<uint64_t>(*v);
    if (const YNode* k = node.find("key")) {
      const KeySpaceSpec* space = k->is_scalar() ? sc_.key_space(k->scalar) : nullptr;
      const SocialGraphSpec* g  = sc_.graphs.find_social(f.graph);
      if (!space) {
        std::vector<std::string> spaces;
        for (const auto& ks : sc_.data)
          spaces.push_back(ks.name);
        diags_.error(k->loc, path + ".key",
                     fmt::format("expected a key space under 'data:' ({}), got {}", list_names(spaces), k->describe()));
      } else if (g->file.empty() && static_cast<double>(space->keys) < static_cast<double>(g->config.users)) {
        // Member ids are user ids: the space must hold one key per user.
        diags_.error(k->loc, path + ".key",
                     fmt::format("key space '{}' has {} keys, fewer than graph '{}' has users ({}): a member's "
                                 "id would not be one of its keys",
                                 space->name, space->keys, f.graph, g->config.users));
      } else {
        step.key_space = space->name;
      }
    }
    if (const YNode* body = node.find("steps"))
      step.body = read_list(*body, path + ".steps");
    else
      diags_.error(node.loc, path, "a fanout needs 'steps:', what runs for each member (e.g. [{lpush: timelines}])");
    return step;
  }

  std::optional<Step> read_branch(const YNode& node, const YEntry& verb, const std::string& path)
  {
    check_keys(node, {"branch"}, path, diags_);
    Step step;
    step.kind = Step::Kind::Branch;
    step.loc  = node.loc;
    if (!verb.value.is_seq() || verb.value.items.empty()) {
      diags_.error(verb.value.loc, path + ".branch",
                   "expected a list of choices such as [{p: 0.9, steps: [...]}, {p: 0.1, steps: [...]}], got " +
                       verb.value.describe());
      return std::nullopt;
    }
    double total = 0;
    for (size_t i = 0; i < verb.value.items.size(); ++i) {
      const YNode& c    = verb.value.items[i];
      std::string cpath = fmt::format("{}.branch[{}]", path, i);
      if (!expect_map(c, cpath, diags_))
        continue;
      check_keys(c, {"p", "steps"}, cpath, diags_);
      const YNode* p = c.find("p");
      const YNode* s = c.find("steps");
      if (!p || !s) {
        diags_.error(c.loc, cpath, "expected both 'p:' (a probability) and 'steps:'");
        continue;
      }
      auto pv = read_quantity(*p, Unit::Fraction, cpath + ".p", diags_, 0, 1);
      if (!pv)
        continue;
      total += *pv;
      step.choices.emplace_back(*pv, read_list(*s, cpath + ".steps"));
    }
    if (total > 1 + 1e-9)
      diags_.error(verb.value.loc, path + ".branch",
                   fmt::format("expected probabilities that add up to at most 1, got {:g}", total));
    return step;
  }

  const Scenario& sc_;
  const ModelCatalog& catalog_;
  Diagnostics& diags_;
  const std::set<std::string>& unusable_;
  size_t depth_ = 0;
};

}  // namespace

std::vector<Step> read_flow(const YNode& node, const std::string& path, const Scenario& scenario,
                            const ModelCatalog& catalog, Diagnostics& diags, const std::set<std::string>& unusable)
{
  FlowReader reader(scenario, catalog, diags, unusable);
  auto steps = reader.read_list(node, path);
  if (node.is_seq() && node.items.empty())
    diags.error(node.loc, path, "expected at least one step");
  return steps;
}

}  // namespace archsim
