#pragma once
// The one explicit list of models (no static self-registration that a linker could drop).
// Each entry joins a model's parameter table (its own file) with how to place it on hosts and
// how to make it for a run.
#include <functional>
#include <memory>
#include <vector>

#include "sim/engine/component.h"
#include "sim/engine/platform_builder.h"
#include "sim/scenario/loader.h"

namespace archsim {

struct ModelEntry {
  const ModelSpec& (*spec)();
  // Replicas and cores per replica, from the component's parameters. Null for the client.
  Placement (*placement)(const ParamValues&);
  std::unique_ptr<Component> (*make)(Runtime&, const ComponentSpec&);
};

const std::vector<ModelEntry>& model_registry();
const ModelEntry* find_model(const std::string& name);
// Metrics that the runtime records for every placed component (residence latency, throughput,
// retries, timeouts); model_catalog() adds them to each placed model's table.
const std::vector<MetricSpec>& common_component_metrics();
// Every model's table, for the scenario loader and `archsim describe`.
const ModelCatalog& model_catalog();

}  // namespace archsim
