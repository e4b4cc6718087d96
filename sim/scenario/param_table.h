#pragma once
// The contract between a model and the scenario loader: every model declares, in one table in
// its own file, the parameters it takes (type, unit, default, limits, doc, source of the
// default) and the metrics it records. The loader checks a component's YAML against that table
// before anything runs, `archsim describe` prints the same table, and the model reads typed
// values back: a default lives in exactly one place.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sim/core/diagnostics.h"
#include "sim/core/distribution.h"
#include "sim/core/units.h"

namespace archsim {

enum class ParamKind {
  Quantity,      // a number with `unit` (Count, Duration, Size, Rate, ...)
  Enum,          // one of `choices`
  Text,          // free text
  Flag,          // true / false
  Distribution,  // a distribution of values in `unit`
  ComponentRef,  // the name of another component
  KeySpaceRef,   // the name of a key space under `data:`
  FlowRef,       // the name of a flow under `flows:` that the component runs itself
};

struct ParamSpec {
  std::string name;
  ParamKind kind = ParamKind::Quantity;
  Unit unit      = Unit::Number;
  std::string default_text;  // in scenario syntax; empty together with required = true
  bool required = false;
  double min    = -1e300;
  double max    = 1e300;
  bool integer  = false;
  std::vector<std::string> choices;  // for Enum
  std::string doc;
  std::string source;  // where the default comes from (reference-figures.md row)

  // Fluent helpers so that a model's table reads as a table.
  ParamSpec& range(double lo, double hi);
  ParamSpec& whole();  // integer values only
  ParamSpec& cite(std::string s);
};

namespace param {
ParamSpec quantity(std::string name, Unit unit, std::string default_text, std::string doc);
ParamSpec count(std::string name, std::string default_text, std::string doc);  // integer >= 0
ParamSpec choice(std::string name, std::vector<std::string> choices, std::string default_text, std::string doc);
ParamSpec text(std::string name, std::string default_text, std::string doc);
ParamSpec flag(std::string name, bool default_value, std::string doc);
ParamSpec distribution(std::string name, Unit unit, std::string default_text, std::string doc);
ParamSpec component(std::string name, std::string doc);  // required unless default_text is set
ParamSpec key_space(std::string name, std::string doc);  // optional, empty = none
// A flow the component runs on its own (per consumed record, per scheduled firing); measured
// like a request class of the flow's name. Optional unless made required().
ParamSpec flow(std::string name, std::string doc);
ParamSpec required(ParamSpec p);
}  // namespace param

struct MetricSpec {
  std::string name;  // "utilisation", "rejections", "hit_ratio"
  Unit unit;
  std::string doc;
};

// What a model is, for the loader and `archsim describe`. No SimGrid here.
class ParamValues;

// A flow-step verb a model answers (`call`, or a data operation such as `get`), with the options
// a step may give it (checked like parameters) and the outcomes a success can carry, which the
// step may handle with `on_<outcome>:`. `on_error` and `on_timeout` always exist.
struct OperationSpec {
  std::string name;
  std::string doc;
  std::vector<ParamSpec> options;
  std::vector<std::string> outcomes;
  // A block operation takes `steps:` that run at the caller while the operation is open (a
  // transaction: BEGIN, the statements, COMMIT); serve() gets them as its body.
  bool block = false;
};

struct ModelSpec {
  std::string name;
  std::string summary;
  std::string keeps;      // which real behaviour the model keeps
  std::string abstracts;  // what it abstracts away
  std::vector<ParamSpec> params;
  std::vector<MetricSpec> metrics;
  std::vector<OperationSpec> operations;  // flow-step verbs it answers
  bool placed = true;                   // has replicas on hosts (the client is not)
  // Checks that involve several parameters at once (e.g. "rate is required unless closed").
  std::function<void(const ParamValues&, const SourceLoc&, const std::string& path, Diagnostics&)> check;
  // How many replicas (hosts) a component with these parameters has; set by the model registry
  // from the model's placement, so that the loader can check `faults:` replica indices.
  std::function<size_t(const ParamValues&)> replica_count;

  const ParamSpec* param(const std::string& name) const;
  bool has_metric(const std::string& name) const;
  bool supports(const std::string& op) const { return operation(op) != nullptr; }
  const OperationSpec* operation(const std::string& op) const;
  std::vector<std::string> operation_names() const;
};

using ParamValue = std::variant<double, std::string, bool, std::shared_ptr<const Distribution>>;

// Typed, validated parameters of one component. Every declared parameter has a value (given
// or default) except optional references left empty.
class ParamValues {
public:
  double number(const std::string& name) const;
  long long integer(const std::string& name) const;
  const std::string& text(const std::string& name) const;
  bool flag(const std::string& name) const;
  const Distribution& dist(const std::string& name) const;
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  bool given(const std::string& name) const { return given_.count(name) > 0; }
  void set(const std::string& name, ParamValue v, bool given);
  const std::map<std::string, ParamValue>& all() const { return values_; }

private:
  const ParamValue& at(const std::string& name) const;
  std::map<std::string, ParamValue> values_;
  std::map<std::string, bool> given_;
};

}  // namespace archsim
