// Behaviour of the scenario loader, one behaviour per TEST_CASE: what a valid file becomes,
// where defaults come from, how variants and --set act on the tree, how flows nest, and how
// errors are reported (malformed files themselves are the golden tests in tests/bad/).
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "models/registry.h"
#include "sim/scenario/loader.h"
#include "sim/scenario/readers.h"

using archsim::Diagnostics;
using archsim::LoadOptions;
using archsim::Scenario;
using archsim::Step;

namespace {

// Three components in a chain, one request class, one target: small enough to read at a glance.
const std::string kBase = R"(archsim: 1
name: minimal
run: {duration: 60s, warmup: 10s, seed: 7}
components:
  lb:  {model: load_balancer, backend: app}
  app: {model: service, threads: 4, cores: 8}
  db:  {model: queue_station, servers: 2}
workload:
  req: {arrivals: poisson, rate: 100/s}
flows:
  req: [{call: lb}, {call: app}, {call: db}]
)";

std::optional<Scenario> load(const std::string& text, Diagnostics& diags, const LoadOptions& options = {})
{
  return archsim::load_scenario_text(text, "test.yaml", archsim::model_catalog(), options, diags);
}

// Loads and requires success, printing the diagnostics if it fails.
Scenario load_ok(const std::string& text, const LoadOptions& options = {})
{
  Diagnostics diags;
  auto sc = load(text, diags, options);
  INFO(diags.str());
  REQUIRE(sc.has_value());
  REQUIRE(diags.ok());
  return *sc;
}

// Loads and requires failure; returns the printed diagnostics.
std::string load_fails(const std::string& text, const LoadOptions& options = {})
{
  Diagnostics diags;
  auto sc = load(text, diags, options);
  INFO(diags.str());
  REQUIRE_FALSE(sc.has_value());
  REQUIRE_FALSE(diags.ok());
  return diags.str();
}

LoadOptions variants(std::vector<std::string> names)
{
  LoadOptions options;
  options.variants = std::move(names);
  return options;
}

const archsim::ComponentSpec& component(const Scenario& sc, const std::string& name)
{
  const auto* c = sc.component(name);
  REQUIRE(c != nullptr);
  return *c;
}

// The base scenario with extra text appended (variants:, targets:, data: ...).
std::string with(const std::string& extra) { return kBase + extra; }

// `text` with the first `from` replaced by `to`; `from` must be there.
std::string replaced(std::string text, const std::string& from, const std::string& to)
{
  size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("a valid minimal scenario loads into a typed Scenario")
{
  Scenario sc = load_ok(kBase);
  CHECK(sc.name == "minimal");
  CHECK(sc.run.duration == 60);
  CHECK(sc.run.warmup == 10);
  CHECK(sc.run.seed == 7);
  CHECK(sc.platform.network_model == "ideal");
  REQUIRE(sc.components.size() == 3);
  CHECK(component(sc, "lb").model == "load_balancer");
  CHECK(component(sc, "lb").params.text("backend") == "app");
  CHECK(component(sc, "app").params.number("threads") == 4);
  REQUIRE(sc.workload.size() == 1);
  CHECK(sc.workload[0].name == "req");
  CHECK(sc.workload[0].params.number("rate") == 100);
  CHECK(sc.workload[0].params.text("arrivals") == "poisson");
  CHECK_FALSE(sc.workload[0].flow.empty());
  CHECK(sc.variants_applied.empty());
}

TEST_CASE("parameters not written take their default from the model's table")
{
  Scenario sc          = load_ok(kBase);
  const auto& catalog  = archsim::model_catalog();
  const auto& app      = component(sc, "app").params;
  const auto* replicas = catalog.find("service")->param("replicas");
  REQUIRE(replicas != nullptr);
  // The expected value comes from the table itself: a default lives in one place only.
  CHECK(app.number("replicas") == std::get<double>(archsim::parse_default(*replicas)));
  CHECK_FALSE(app.given("replicas"));
  CHECK(app.given("threads"));
  CHECK(app.dist("cpu").mean() > 0);  // a distribution default, parsed from scenario syntax
  const auto* policy = catalog.find("load_balancer")->param("policy");
  CHECK(component(sc, "lb").params.text("policy") == policy->default_text);
  const auto* size = catalog.find("client")->param("request_size");
  CHECK(sc.workload[0].params.number("request_size") == std::get<double>(archsim::parse_default(*size)));
}

TEST_CASE("an unknown key is an error that lists the valid keys and suggests the close one")
{
  std::string errors = load_fails(replaced(kBase, "threads: 4", "thread: 4"));
  CHECK(errors.find("test.yaml:6:25: error: components.app.thread: unknown key; expected one of 'model', "
                    "'datacenter', 'replicas', 'threads',") != std::string::npos);
  CHECK(errors.find("did you mean 'threads'?") != std::string::npos);

  std::string far_errors = load_fails(replaced(kBase, "threads: 4", "xyzzy: 4"));
  CHECK(far_errors.find("components.app.xyzzy: unknown key; expected one of") != std::string::npos);
  CHECK(far_errors.find("did you mean") == std::string::npos);  // nothing is close
}

TEST_CASE("a variant patch merges mappings key by key")
{
  Scenario sc = load_ok(with("variants:\n  more: {patch: {components: {app: {threads: 32}}}}\n"), variants({"more"}));
  CHECK(component(sc, "app").params.number("threads") == 32);
  CHECK(component(sc, "app").params.number("cores") == 8);  // a sibling key is kept
  CHECK(component(sc, "app").model == "service");
  CHECK(sc.variants_applied == std::vector<std::string>{"more"});
  REQUIRE(sc.variants.size() == 1);
  CHECK(sc.variants[0].name == "more");
}

TEST_CASE("a null value in a variant patch deletes the key")
{
  Scenario sc = load_ok(with("variants:\n  plain: {patch: {components: {app: {threads: null}}}}\n"), variants({"plain"}));
  const auto& app = component(sc, "app").params;
  CHECK_FALSE(app.given("threads"));  // back to the model's default
  const auto* threads = archsim::model_catalog().find("service")->param("threads");
  CHECK(app.number("threads") == std::get<double>(archsim::parse_default(*threads)));
}

TEST_CASE("a list in a variant patch replaces the whole list")
{
  Scenario sc = load_ok(with("variants:\n  direct: {patch: {flows: {req: [{call: db}]}}}\n"), variants({"direct"}));
  const auto& flow = sc.workload[0].flow;
  REQUIRE(flow.size() == 1);
  CHECK(flow[0].component == "db");
  CHECK(flow[0].body.empty());  // nothing of the old list is left
}

TEST_CASE("variants compose in the order given")
{
  std::string text = with("variants:\n"
                          "  two:   {patch: {components: {app: {threads: 2}}}}\n"
                          "  three: {patch: {components: {app: {threads: 3, cores: 3}}}}\n");
  Scenario ab = load_ok(text, variants({"two", "three"}));
  CHECK(component(ab, "app").params.number("threads") == 3);
  CHECK(ab.variants_applied == std::vector<std::string>{"two", "three"});
  Scenario ba = load_ok(text, variants({"three", "two"}));
  CHECK(component(ba, "app").params.number("threads") == 2);
  CHECK(component(ba, "app").params.number("cores") == 3);  // merged, not replaced
  CHECK(ba.variants_applied == std::vector<std::string>{"three", "two"});
}

TEST_CASE("extends applies the parent variant first")
{
  std::string text = with("variants:\n"
                          "  child:  {extends: parent, patch: {components: {app: {threads: 3}}}}\n"
                          "  parent: {patch: {components: {app: {threads: 2, cores: 2}}}}\n");
  Scenario sc = load_ok(text, variants({"child"}));
  CHECK(component(sc, "app").params.number("threads") == 3);  // the child's patch wins
  CHECK(component(sc, "app").params.number("cores") == 2);    // the parent's patch is there
  CHECK(sc.variants_applied == std::vector<std::string>{"parent", "child"});
  // Asking for the parent too applies it once.
  Scenario both = load_ok(text, variants({"parent", "child"}));
  CHECK(both.variants_applied == std::vector<std::string>{"parent", "child"});
}

TEST_CASE("an unknown --variant lists the variants the scenario has")
{
  std::string errors =
      load_fails(with("variants:\n  small: {patch: {components: {app: {threads: 2}}}}\n"), variants({"smal"}));
  CHECK(errors.find("--variant smal: error: variants: unknown variant 'smal'; this scenario has 'small'; did you "
                    "mean 'small'?") != std::string::npos);
}

TEST_CASE("an error inside an applied variant points into the variant")
{
  std::string errors =
      load_fails(with("variants:\n  broken: {patch: {components: {app: {threads: many}}}}\n"), variants({"broken"}));
  CHECK(errors.find("test.yaml:13:48: error: components.app.threads: expected a count") != std::string::npos);
}

TEST_CASE("a --set overrides a value, after the variants")
{
  LoadOptions options;
  options.variants = {"two"};
  options.sets     = {{"components.app.threads", "16"}, {"workload.req.rate", "2K/s"}};
  Scenario sc      = load_ok(with("variants:\n  two: {patch: {components: {app: {threads: 2}}}}\n"), options);
  CHECK(component(sc, "app").params.number("threads") == 16);
  CHECK(sc.workload[0].params.number("rate") == 2000);
  CHECK(component(sc, "app").params.number("cores") == 8);
}

TEST_CASE("a --set to a path that does not exist is an error")
{
  LoadOptions misspelt;
  misspelt.sets = {{"components.ap.threads", "16"}};
  CHECK(load_fails(kBase, misspelt).find("--set components.ap.threads: error: no 'components.ap' in the scenario") !=
        std::string::npos);

  LoadOptions top;
  top.sets = {{"workloads", "{}"}};
  CHECK(load_fails(kBase, top).find("--set workloads: error: unknown top-level key 'workloads'") != std::string::npos);

  LoadOptions last_key;  // the parent exists, the key is checked by the section's reader
  last_key.sets = {{"components.app.thread", "16"}};
  CHECK(load_fails(kBase, last_key).find("components.app.thread: unknown key") != std::string::npos);

  LoadOptions empty_element;
  empty_element.sets = {{"components..threads", "16"}};
  CHECK(load_fails(kBase, empty_element).find("expected --set path.to.key=value, got an empty path element") !=
        std::string::npos);
}

TEST_CASE("call without steps nests the rest of the flow into the callee's body")
{
  Scenario sc       = load_ok(kBase);
  const auto& steps = sc.workload[0].flow;
  REQUIRE(steps.size() == 1);
  CHECK(steps[0].kind == Step::Kind::Call);
  CHECK(steps[0].component == "lb");
  REQUIRE(steps[0].body.size() == 1);
  CHECK(steps[0].body[0].component == "app");
  REQUIRE(steps[0].body[0].body.size() == 1);
  CHECK(steps[0].body[0].body[0].component == "db");
  CHECK(steps[0].body[0].body[0].body.empty());
}

TEST_CASE("call with steps keeps its body, and the next step is its sibling")
{
  Scenario sc = load_ok(
      replaced(kBase, "[{call: lb}, {call: app}, {call: db}]", "[{call: lb, steps: [{call: app}]}, {call: db}]"));
  const auto& steps = sc.workload[0].flow;
  REQUIRE(steps.size() == 2);
  CHECK(steps[0].component == "lb");
  REQUIRE(steps[0].body.size() == 1);
  CHECK(steps[0].body[0].component == "app");
  CHECK(steps[1].component == "db");
}

TEST_CASE("duplicate names are errors")
{
  SECTION("the same key twice in a mapping")
  {
    std::string text = replaced(kBase, "  db:  {model", "  app: {model: service}\n  db:  {model");
    CHECK(load_fails(text).find("test.yaml:7:3: error: components.app: duplicate key") != std::string::npos);
  }
  SECTION("a component and a key space")
  {
    CHECK(load_fails(with("data:\n  db: {keys: 1K}\n"))
              .find("test.yaml:7:3: error: components.db: a component and a key space share this name") !=
          std::string::npos);
  }
  SECTION("a request class and a component")
  {
    std::string text = replaced(replaced(kBase, "  req: {arrivals", "  app: {arrivals"), "  req: [{call", "  app: [{call");
    CHECK(load_fails(text).find("workload.app: a request class and a component share this name") !=
          std::string::npos);
  }
}

TEST_CASE("targets parse with their units")
{
  Scenario sc = load_ok(with("targets:\n"
                             "  - req.latency.p99 < 50ms\n"
                             "  - req.throughput >= 10K/s\n"
                             "  - app.utilisation <= 80%\n"
                             "  - req.errors < 0.1%\n"));
  REQUIRE(sc.targets.size() == 4);
  CHECK(sc.targets[0].subject == "req");
  CHECK(sc.targets[0].subject_is_class);
  CHECK(sc.targets[0].metric == "latency.p99");
  CHECK(sc.targets[0].op == "<");
  CHECK(sc.targets[0].value == Approx(0.05));
  CHECK(sc.targets[0].unit == archsim::Unit::Duration);
  CHECK(sc.targets[0].text == "req.latency.p99 < 50ms");
  CHECK(sc.targets[1].op == ">=");
  CHECK(sc.targets[1].value == Approx(10000));
  CHECK(sc.targets[1].unit == archsim::Unit::Rate);
  CHECK_FALSE(sc.targets[2].subject_is_class);
  CHECK(sc.targets[2].metric == "utilisation");
  CHECK(sc.targets[2].value == Approx(0.8));
  CHECK(sc.targets[3].value == Approx(0.001));
}

TEST_CASE("a --duration shorter than the warm-up scales the warm-up")
{
  LoadOptions options;
  options.duration = 5;
  Scenario sc      = load_ok(kBase, options);
  CHECK(sc.run.duration == 5);
  CHECK(sc.run.warmup == Approx(1));  // a fifth of the run, as the file's warm-up would not fit

  LoadOptions longer;
  longer.duration = 30;
  CHECK(load_ok(kBase, longer).run.warmup == 10);  // a warm-up that fits is kept

  LoadOptions explicit_warmup;  // a warm-up the user chose on the command line must fit
  explicit_warmup.duration = 5;
  explicit_warmup.warmup   = 6;
  CHECK(load_fails(kBase, explicit_warmup)
            .find("--warmup: error: run.warmup: expected a warm-up shorter than the duration (5s), got 6s") !=
        std::string::npos);
}

TEST_CASE("a short run without a written warm-up scales the default warm-up")
{
  Scenario sc = load_ok(replaced(kBase, "run: {duration: 60s, warmup: 10s, seed: 7}", "run: {duration: 5s}"));
  CHECK(sc.run.duration == 5);
  CHECK(sc.run.warmup == Approx(1));
}

TEST_CASE("a component whose model is unknown is reported once, not again where it is used")
{
  std::string errors =
      load_fails(replaced(with("targets:\n  - db.utilisation < 90%\n"), "model: queue_station", "model: queue_statio"));
  CHECK(errors.find("components.db.model: unknown model 'queue_statio'") != std::string::npos);
  CHECK(errors.find("did you mean 'queue_station'?") != std::string::npos);
  CHECK(errors.find("no component named 'db'") == std::string::npos);
  CHECK(errors.find("no request class or component named 'db'") == std::string::npos);
  CHECK(std::count(errors.begin(), errors.end(), '\n') == 1);
}

TEST_CASE("every error is reported at once, in file:line:col: error: path: message form")
{
  std::string text = replaced(kBase, "threads: 4", "threads: -4");
  text               = replaced(text, "rate: 100/s", "rate: 100");
  text               = replaced(text, "{call: db}", "{call: dbb}");
  std::string errors = load_fails(text);
  CHECK(errors.find("test.yaml:6:34: error: components.app.threads: expected a value between 1 and 100K, got '-4'") !=
        std::string::npos);
  CHECK(errors.find("test.yaml:9:34: error: workload.req.rate: expected a rate such as 10000/s, 10K/s or 1B/day, "
                    "got '100' (a rate needs a time base such as /s)") != std::string::npos);
  CHECK(errors.find("test.yaml:11:41: error: flows.req[2].call: no component named 'dbb'; expected one of 'lb', "
                    "'app' or 'db'; did you mean 'db'?") != std::string::npos);
  CHECK(std::count(errors.begin(), errors.end(), '\n') == 3);
}

// How fast the refusal is (no pairwise name comparison) is measured by bench/bench_loader.
TEST_CASE("a scenario with thousands of entries is rejected at the limits")
{
  std::string text = "archsim: 1\nname: wide\ncomponents:\n";
  for (int i = 0; i < 20000; ++i)
    text += "  c" + std::to_string(i) + ": {model: service}\n";
  text += "workload:\n";
  for (int i = 0; i < 20000; ++i)
    text += "  r" + std::to_string(i) + ": {rate: 1/s}\n";
  text += "flows:\n";
  for (int i = 0; i < 20000; ++i)
    text += "  r" + std::to_string(i) + ": [{call: c" + std::to_string(i) + "}]\n";
  std::string errors = load_fails(text);
  CHECK(errors.find("test.yaml:4:3: error: components: expected at most 1000 components, got 20000") !=
        std::string::npos);
  CHECK(errors.find("workload: expected at most 1000 request classes, got 20000") != std::string::npos);
}

TEST_CASE("a flow whose calls nest as deep as allowed still loads")
{
  std::string text = "archsim: 1\nname: deep\ncomponents:\n  app: {model: service}\nworkload:\n  req: {rate: 1/s}\n"
                     "flows:\n  req:\n";
  for (int i = 0; i < 32; ++i)
    text += "    - call: app\n";
  Scenario sc       = load_ok(text);
  const Step* step  = &sc.workload[0].flow.at(0);
  int depth         = 1;
  while (!step->body.empty()) {
    step = &step->body.at(0);
    ++depth;
  }
  CHECK(depth == 32);
  text += "    - call: app\n";
  CHECK(load_fails(text).find("flows.req[32]: flow nested too deeply") != std::string::npos);
}
