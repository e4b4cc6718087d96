#pragma once
// Tolerant readers for RunResult JSON ("archsim.run/1", sim/engine/run_result.cpp). The reports
// read files that may come from another archsim version or from `archsim aggregate`, so a value
// that is absent, null (NaN is written as null) or not a number reads as "not measured"
// (nullopt) rather than as 0 or an exception: a missing measurement must never look like a good
// one.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "sim/core/units.h"

namespace archsim {

// obj[key] as a finite number; nullopt when obj is not an object, or the key is absent, null,
// not a number, or NaN/infinite.
std::optional<double> number_at(const nlohmann::json& obj, const std::string& key);
// obj[key] as a number, or `fallback` when number_at gives nullopt.
double number_or(const nlohmann::json& obj, const std::string& key, double fallback);
// obj[key] as a string; "" when absent or not a string.
std::string text_at(const nlohmann::json& obj, const std::string& key);
// obj[key] when it is an array, else an empty array (so callers can always iterate).
const nlohmann::json& array_at(const nlohmann::json& obj, const std::string& key);
// obj[key] when it is an object, else an empty object.
const nlohmann::json& object_at(const nlohmann::json& obj, const std::string& key);
// The element of `array` whose "name" is `name`, or nullptr.
const nlohmann::json* find_named(const nlohmann::json& array, const std::string& name);
// The inverse of unit_name(): "duration" -> Unit::Duration. Unknown names give Unit::Number
// (shown as a plain number, which is still correct, only less pretty).
Unit unit_from_name(const std::string& name);

}  // namespace archsim
