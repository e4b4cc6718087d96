#pragma once
// Typed readers of YAML nodes: each checks one value and, when it is wrong, records a
// diagnostic of the form "expected X, got Y" at the node's position. They return nullopt (or
// false) on error so that the caller can go on and find the remaining errors.
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/core/diagnostics.h"
#include "sim/scenario/param_table.h"
#include "sim/scenario/yaml_tree.h"

namespace archsim {

std::optional<double> read_quantity(const YNode& node, Unit unit, const std::string& path, Diagnostics& diags,
                                    double min = -1e300, double max = 1e300, bool integer = false);
std::optional<std::string> read_text(const YNode& node, const std::string& path, Diagnostics& diags);
std::optional<std::string> read_choice(const YNode& node, const std::vector<std::string>& choices,
                                       const std::string& path, Diagnostics& diags);
std::optional<bool> read_flag(const YNode& node, const std::string& path, Diagnostics& diags);
// Distributions: a scalar quantity ("2ms" = constant) or a mapping {dist: exponential, mean: 1ms},
// {dist: lognormal, mean: .., p99: ..}, {dist: uniform, min: .., max: ..}, {dist: normal, mean, stddev},
// {dist: constant, value: ..}, {dist: empirical, cdf: [[v, p], ...]}, {dist: histogram, bins: [[lo, hi, w], ...]}.
std::shared_ptr<const Distribution> read_distribution(const YNode& node, Unit unit, const std::string& path,
                                                      Diagnostics& diags);

// Checks that `node` is a mapping and that every key is one of `allowed`; unknown keys are
// errors that list the valid ones (with a "did you mean" when one is close).
bool expect_map(const YNode& node, const std::string& path, Diagnostics& diags);
void check_keys(const YNode& map, const std::vector<std::string>& allowed, const std::string& path,
                Diagnostics& diags);
// Names of components, key spaces, classes, variants, graphs: letters, digits, '_' or '-',
// starting with a letter or '_', at most 64 characters.
void check_identifier(const std::string& name, const SourceLoc& loc, const std::string& path, Diagnostics& diags);
// "did you mean 'threads'?" or "" when nothing is close.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);
// "'a', 'b' or 'c'"
std::string list_names(const std::vector<std::string>& names);

// Validates a component's parameters against its model's table and fills defaults. Keys in
// `reserved` are handled by the caller (e.g. `model`, `datacenter`).
ParamValues read_params(const ModelSpec& spec, const YNode& map, const std::string& path, Diagnostics& diags,
                        const std::vector<std::string>& reserved);

// Parses a parameter default written in scenario syntax; throws std::logic_error if the model's
// own table holds an invalid default (a programming error caught by the tests).
ParamValue parse_default(const ParamSpec& p);

}  // namespace archsim
