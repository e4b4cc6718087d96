#pragma once
// Reader of the top-level `graphs:` mapping: name -> {kind: social | road | web, ...}. Every
// error is reported with its position and what was expected (docs/graphs.md has the format).
// Relative file paths are resolved against the scenario file's directory.
#include "sim/core/diagnostics.h"
#include "sim/scenario/graph_spec.h"
#include "sim/scenario/yaml_tree.h"

namespace archsim {

void read_graphs(const YNode& node, GraphSpecs& out, Diagnostics& diags);

// Lengths ("200m", "1.5km") and road speeds ("40km/h", "11m/s", "25mph"), which the general
// unit parser does not know; nullopt and `error` set on failure.
std::optional<double> parse_length(const std::string& text, std::string* error = nullptr);
std::optional<double> parse_road_speed(const std::string& text, std::string* error = nullptr);

}  // namespace archsim
