#pragma once
// The `graphs:` section of a scenario, read and checked, units resolved: one spec per named
// graph (social population, road network, web). A spec holds the generator's own config struct
// (sim/graph), so each default lives in exactly one place: the config's member initialiser.
// Building a graph from its spec (it may take seconds and gigabytes) is left to the engine.
#include <string>
#include <vector>

#include "sim/core/diagnostics.h"
#include "sim/graph/proximity_index.h"
#include "sim/graph/road_network.h"
#include "sim/graph/social_graph.h"
#include "sim/graph/web_graph.h"

namespace archsim {

struct SocialGraphSpec {
  std::string name;
  SourceLoc loc;
  SocialGraphConfig config;  // config.name = the graph's name
  std::string file;          // an edge list to load instead of generating (resolved path)
  uint64_t file_users = 0;   // users of a loaded graph; 0 = largest id in the file + 1
  bool seed_given = false;   // else the engine sets config.seed from run.seed
};

struct RoadNetworkSpec {
  std::string name;
  SourceLoc loc;
  RoadNetworkConfig config;  // config.file is the resolved path for generator: file
  ProximityConfig index;     // for the points placed on it
  bool seed_given = false;
};

struct WebGraphSpec {
  std::string name;
  SourceLoc loc;
  WebGraphConfig config;
  bool seed_given = false;
};

struct GraphSpecs {
  std::vector<SocialGraphSpec> social;
  std::vector<RoadNetworkSpec> roads;
  std::vector<WebGraphSpec> webs;

  bool empty() const { return social.empty() && roads.empty() && webs.empty(); }
  std::vector<std::string> names() const;  // every graph, in kind order then file order
  const SocialGraphSpec* find_social(const std::string& name) const;
  const RoadNetworkSpec* find_road(const std::string& name) const;
  const WebGraphSpec* find_web(const std::string& name) const;
  // Sets config.seed of every graph that did not pin its own seed.
  void apply_run_seed(uint64_t run_seed);
};

}  // namespace archsim
