#pragma once
// The values of a swept parameter, from `--param PATH=VALUES`:
//   PATH=1000/s,2000/s,5000/s   a list
//   PATH=10000/s..80000/s:x2    from A to B (inclusive when reached), multiplying by K
//   PATH=2..16:+2               from A to B, adding K
// Each value keeps the unit suffix of A, so it can be given to `--set PATH=VALUE` as written;
// its leading number is what plots and the knee search use.
#include <optional>
#include <string>
#include <vector>

#include "analysis/experiment_plan.h"

namespace archsim {

constexpr size_t kMaxSweepPoints = 1000;

struct SweepParam {
  SweepAxis axis;
  std::vector<double> numbers;  // the leading number of each value
};

// nullopt with `error` set ("expected ..., got ...") when the text is not one of the forms.
std::optional<SweepParam> parse_sweep_param(const std::string& text, std::string& error);

}  // namespace archsim
