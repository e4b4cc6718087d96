#pragma once
#include <optional>
#include <string>
#include <vector>

namespace archsim::cli {

struct RunArgs {
  std::string scenario;
  std::vector<std::string> variants;
  std::vector<std::string> sets;
  std::vector<std::string> faults;  // --fault, one YAML mapping each
  std::optional<unsigned long long> seed;
  std::optional<std::string> duration;
  std::optional<std::string> warmup;
  std::string out;
  bool quiet       = false;
  bool verbose     = false;
  bool no_progress = false;
  bool missed_ok   = false;  // exit 0 when a target is missed (an experiment's jobs)
  std::vector<std::string> simgrid_args;
  std::vector<std::string> argv;
};

int cmd_run(const RunArgs& args);

}  // namespace archsim::cli
