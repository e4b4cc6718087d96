// The model tables themselves: every default parses with the scenario syntax, names are unique,
// every placed model says what it keeps and abstracts.
#include <catch2/catch.hpp>
#include <set>

#include "models/registry.h"
#include "sim/scenario/readers.h"

using namespace archsim;

TEST_CASE("every parameter default in every model table parses")
{
  for (const auto* m : model_catalog().models)
    for (const auto& p : m->params) {
      if (p.default_text.empty())
        continue;
      INFO(m->name << "." << p.name << " = " << p.default_text);
      CHECK_NOTHROW(parse_default(p));
    }
}

TEST_CASE("model, parameter and metric names are unique")
{
  std::set<std::string> models;
  for (const auto* m : model_catalog().models) {
    CHECK(models.insert(m->name).second);
    std::set<std::string> names;
    for (const auto& p : m->params)
      CHECK(names.insert(p.name).second);
    std::set<std::string> metrics;
    for (const auto& x : m->metrics)
      CHECK(metrics.insert(x.name).second);
  }
}

TEST_CASE("every model documents what it keeps and what it abstracts away")
{
  for (const auto* m : model_catalog().models) {
    INFO(m->name);
    CHECK(!m->summary.empty());
    CHECK(!m->keeps.empty());
    CHECK(!m->abstracts.empty());
  }
}

TEST_CASE("every placed model records the common component metrics")
{
  for (const auto* m : model_catalog().models)
    if (m->placed)
      for (const auto& common : common_component_metrics())
        CHECK(m->has_metric(common.name));
}
