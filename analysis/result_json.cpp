#include "analysis/result_json.h"

#include <array>
#include <cmath>

namespace archsim {

using nlohmann::json;

std::optional<double> number_at(const json& obj, const std::string& key)
{
  if (!obj.is_object())
    return std::nullopt;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number())
    return std::nullopt;
  double v = it->get<double>();
  if (!std::isfinite(v))
    return std::nullopt;
  return v;
}

double number_or(const json& obj, const std::string& key, double fallback)
{
  return number_at(obj, key).value_or(fallback);
}

std::string text_at(const json& obj, const std::string& key)
{
  if (!obj.is_object())
    return "";
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

const json& array_at(const json& obj, const std::string& key)
{
  static const json empty = json::array();
  if (!obj.is_object())
    return empty;
  auto it = obj.find(key);
  return it != obj.end() && it->is_array() ? *it : empty;
}

const json& object_at(const json& obj, const std::string& key)
{
  static const json empty = json::object();
  if (!obj.is_object())
    return empty;
  auto it = obj.find(key);
  return it != obj.end() && it->is_object() ? *it : empty;
}

const json* find_named(const json& array, const std::string& name)
{
  if (!array.is_array())
    return nullptr;
  for (const auto& item : array)
    if (text_at(item, "name") == name)
      return &item;
  return nullptr;
}

Unit unit_from_name(const std::string& name)
{
  static constexpr std::array<Unit, 8> all{Unit::Duration, Unit::Size,     Unit::Bandwidth, Unit::Rate,
                                           Unit::Count,    Unit::Fraction, Unit::Speed,     Unit::Number};
  for (Unit u : all)
    if (unit_name(u) == name)
      return u;
  return Unit::Number;
}

}  // namespace archsim
