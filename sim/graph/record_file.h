#pragma once
// Reader of the plain-text graph files (edge lists, node coordinates): one record per line,
// fields separated by whitespace, `#` starts a comment, blank lines are ignored. Every problem
// becomes a diagnostic `file:line:col: error: expected ..., got ...` (1-based, like the scenario
// errors), and reading goes on so that a user sees every bad line at once, up to a limit.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/diagnostics.h"

namespace archsim {

struct Record {
  const std::string* file = nullptr;
  int line = 0;
  std::vector<std::string_view> fields;
  std::vector<int> cols;  // 1-based column of each field

  SourceLoc loc(size_t field) const;
  SourceLoc line_loc() const { return {*file, line, 1}; }
};

// Calls `fn` for every record; stops early when `fn` returns false or after `max_errors`
// diagnostics were added while reading. Returns false if the file could not be read.
bool for_each_record(const std::string& path, Diagnostics& diags, const std::function<bool(const Record&)>& fn,
                     size_t max_errors = 50);

// Typed fields: on error they add "expected <what>, got '<text>'" at the field and return nullopt.
std::optional<uint64_t> record_uint(const Record& r, size_t i, const std::string& what, uint64_t max,
                                    Diagnostics& diags);
std::optional<double> record_number(const Record& r, size_t i, const std::string& what, double min, double max,
                                    Diagnostics& diags);
// Checks the field count; `form` describes the record ("follower followee").
bool record_arity(const Record& r, size_t min_fields, size_t max_fields, const std::string& form,
                  Diagnostics& diags);

}  // namespace archsim
