// Benchmark of the scenario loader on a hostile input: 20,000 components, request classes and
// flows, far past the limits (1,000 each). The loader must refuse it without comparing names
// pairwise (a did-you-mean over 20,000 names each way would take minutes). Prints one JSON line.
//
//   bench_loader [--entries N]
#include <chrono>
#include <cstring>
#include <fmt/format.h>
#include <string>

#include "models/registry.h"
#include "sim/scenario/loader.h"

using namespace archsim;

int main(int argc, char** argv)
{
  int entries = 20000;
  for (int i = 1; i < argc; ++i)
    if (!std::strcmp(argv[i], "--entries") && i + 1 < argc)
      entries = std::atoi(argv[++i]);
  std::string text = "archsim: 1\nname: wide\ncomponents:\n";
  for (int i = 0; i < entries; ++i)
    text += fmt::format("  c{}: {{model: service}}\n", i);
  text += "workload:\n";
  for (int i = 0; i < entries; ++i)
    text += fmt::format("  r{}: {{rate: 1/s}}\n", i);
  text += "flows:\n";
  for (int i = 0; i < entries; ++i)
    text += fmt::format("  r{}: [{{call: c{}}}]\n", i, i);
  auto start = std::chrono::steady_clock::now();
  Diagnostics diags;
  auto sc        = load_scenario_text(text, "wide.yaml", model_catalog(), {}, diags);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("{{\"bench\":\"loader_wide\",\"entries\":{},\"refused\":{},\"wall_s\":{:.3f}}}\n", entries,
             !sc.has_value() && !diags.ok(), seconds);
  return 0;
}
