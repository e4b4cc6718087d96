#pragma once
// Error collection for scenario files. Validation never stops at the first problem: every
// error is collected with its place in the file so that a user fixes them all in one pass.
// Printed as `file:line:col: error: path: message` (1-based line and column, like compilers).
#include <exception>
#include <string>
#include <utility>
#include <vector>

namespace archsim {

struct SourceLoc {
  std::string file;
  int line = 0;  // 1-based; 0 when unknown
  int col  = 0;  // 1-based; 0 when unknown
  std::string str() const;
};

struct Diagnostic {
  SourceLoc loc;
  std::string path;     // where in the scenario: "components.app.threads"
  std::string message;  // "expected a count such as 64, got 'many'"
  std::string str() const;
};

class Diagnostics {
public:
  void error(const SourceLoc& loc, const std::string& path, const std::string& message);
  bool ok() const { return items_.empty(); }
  const std::vector<Diagnostic>& items() const { return items_; }
  std::string str() const;  // every diagnostic, one per line
  // Cap on collected errors so that a hostile file cannot make us print megabytes.
  static constexpr size_t kMaxErrors = 200;

private:
  std::vector<Diagnostic> items_;
  size_t dropped_ = 0;
};

// Thrown by layers that cannot continue (e.g. a scenario with errors handed to the engine).
struct ScenarioError : std::exception {
  explicit ScenarioError(std::string text) : text_(std::move(text)) {}
  const char* what() const noexcept override { return text_.c_str(); }
  std::string text_;
};

}  // namespace archsim
