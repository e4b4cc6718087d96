#include "sim/scenario/param_table.h"

#include <algorithm>
#include <stdexcept>

namespace archsim {

ParamSpec& ParamSpec::range(double lo, double hi)
{
  min = lo;
  max = hi;
  return *this;
}

ParamSpec& ParamSpec::whole()
{
  integer = true;
  return *this;
}

ParamSpec& ParamSpec::cite(std::string s)
{
  source = std::move(s);
  return *this;
}

namespace param {
ParamSpec quantity(std::string name, Unit unit, std::string default_text, std::string doc)
{
  ParamSpec p;
  p.name         = std::move(name);
  p.kind         = ParamKind::Quantity;
  p.unit         = unit;
  p.default_text = std::move(default_text);
  p.doc          = std::move(doc);
  if (unit != Unit::Number)
    p.min = 0;
  if (unit == Unit::Fraction)
    p.max = 1;
  return p;
}

ParamSpec count(std::string name, std::string default_text, std::string doc)
{
  return quantity(std::move(name), Unit::Count, std::move(default_text), std::move(doc)).whole();
}

ParamSpec choice(std::string name, std::vector<std::string> choices, std::string default_text, std::string doc)
{
  ParamSpec p;
  p.name         = std::move(name);
  p.kind         = ParamKind::Enum;
  p.choices      = std::move(choices);
  p.default_text = std::move(default_text);
  p.doc          = std::move(doc);
  return p;
}

ParamSpec text(std::string name, std::string default_text, std::string doc)
{
  ParamSpec p;
  p.name         = std::move(name);
  p.kind         = ParamKind::Text;
  p.default_text = std::move(default_text);
  p.doc          = std::move(doc);
  return p;
}

ParamSpec flag(std::string name, bool default_value, std::string doc)
{
  ParamSpec p;
  p.name         = std::move(name);
  p.kind         = ParamKind::Flag;
  p.default_text = default_value ? "true" : "false";
  p.doc          = std::move(doc);
  return p;
}

ParamSpec distribution(std::string name, Unit unit, std::string default_text, std::string doc)
{
  ParamSpec p;
  p.name         = std::move(name);
  p.kind         = ParamKind::Distribution;
  p.unit         = unit;
  p.default_text = std::move(default_text);
  p.doc          = std::move(doc);
  return p;
}

ParamSpec component(std::string name, std::string doc)
{
  ParamSpec p;
  p.name     = std::move(name);
  p.kind     = ParamKind::ComponentRef;
  p.doc      = std::move(doc);
  p.required = true;
  return p;
}

ParamSpec flow(std::string name, std::string doc)
{
  ParamSpec p;
  p.name = std::move(name);
  p.kind = ParamKind::FlowRef;
  p.doc  = std::move(doc);
  return p;
}

ParamSpec key_space(std::string name, std::string doc)
{
  ParamSpec p;
  p.name = std::move(name);
  p.kind = ParamKind::KeySpaceRef;
  p.doc  = std::move(doc);
  return p;
}

ParamSpec required(ParamSpec p)
{
  p.required = true;
  p.default_text.clear();
  return p;
}
}  // namespace param

const ParamSpec* ModelSpec::param(const std::string& n) const
{
  for (const auto& p : params)
    if (p.name == n)
      return &p;
  return nullptr;
}

bool ModelSpec::has_metric(const std::string& n) const
{
  return std::any_of(metrics.begin(), metrics.end(), [&](const MetricSpec& m) { return m.name == n; });
}

const OperationSpec* ModelSpec::operation(const std::string& op) const
{
  for (const auto& o : operations)
    if (o.name == op)
      return &o;
  return nullptr;
}

std::vector<std::string> ModelSpec::operation_names() const
{
  std::vector<std::string> out;
  for (const auto& o : operations)
    out.push_back(o.name);
  return out;
}

const ParamValue& ParamValues::at(const std::string& name) const
{
  auto it = values_.find(name);
  if (it == values_.end())
    throw std::logic_error("parameter '" + name + "' has no value (not declared in the model's table?)");
  return it->second;
}

double ParamValues::number(const std::string& name) const { return std::get<double>(at(name)); }
long long ParamValues::integer(const std::string& name) const { return static_cast<long long>(number(name)); }
const std::string& ParamValues::text(const std::string& name) const { return std::get<std::string>(at(name)); }
bool ParamValues::flag(const std::string& name) const { return std::get<bool>(at(name)); }
const Distribution& ParamValues::dist(const std::string& name) const
{
  return *std::get<std::shared_ptr<const Distribution>>(at(name));
}

void ParamValues::set(const std::string& name, ParamValue v, bool given)
{
  values_[name] = std::move(v);
  if (given)
    given_[name] = true;
}

}  // namespace archsim
