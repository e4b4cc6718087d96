#include "sim/scenario/readers.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

namespace archsim {

namespace {
std::string got(const YNode& n) { return n.describe(); }

size_t edit_distance(const std::string& a, const std::string& b)
{
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}
}  // namespace

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates)
{
  std::string best;
  size_t best_d = std::max<size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best   = c;
    }
  }
  return best.empty() ? "" : fmt::format("did you mean '{}'?", best);
}

std::string list_names(const std::vector<std::string>& names)
{
  // A long list helps nobody and, repeated in every error, costs memory: show the first ones.
  constexpr size_t kShown = 40;
  std::string out;
  size_t shown = std::min(names.size(), kShown);
  for (size_t i = 0; i < shown; ++i) {
    if (i > 0)
      out += (i + 1 == names.size()) ? " or " : ", ";
    out += "'" + names[i] + "'";
  }
  if (names.size() > shown)
    out += fmt::format(" (and {} more)", names.size() - shown);
  return out.empty() ? "(none)" : out;
}

std::optional<double> read_quantity(const YNode& node, Unit unit, const std::string& path, Diagnostics& diags,
                                    double min, double max, bool integer)
{
  if (!node.is_scalar()) {
    diags.error(node.loc, path, fmt::format("expected {}, got {}", unit_expectation(unit), got(node)));
    return std::nullopt;
  }
  std::string why;
  auto v = parse_quantity(node.scalar, unit, &why);
  if (!v) {
    diags.error(node.loc, path, fmt::format("expected {}, got {} ({})", unit_expectation(unit), got(node), why));
    return std::nullopt;
  }
  if (integer && std::floor(*v) != *v) {
    diags.error(node.loc, path, fmt::format("expected a whole number, got {}", got(node)));
    return std::nullopt;
  }
  if (*v < min || *v > max) {
    std::string bounds;
    if (min > -1e299 && max < 1e299)
      bounds = fmt::format("between {} and {}", format_quantity(min, unit), format_quantity(max, unit));
    else if (min > -1e299)
      bounds = min == 0 ? "at least 0" : fmt::format("at least {}", format_quantity(min, unit));
    else
      bounds = fmt::format("at most {}", format_quantity(max, unit));
    diags.error(node.loc, path, fmt::format("expected a value {}, got {}", bounds, got(node)));
    return std::nullopt;
  }
  return v;
}

std::optional<std::string> read_text(const YNode& node, const std::string& path, Diagnostics& diags)
{
  if (!node.is_scalar()) {
    diags.error(node.loc, path, fmt::format("expected a text value, got {}", got(node)));
    return std::nullopt;
  }
  return node.scalar;
}

std::optional<std::string> read_choice(const YNode& node, const std::vector<std::string>& choices,
                                       const std::string& path, Diagnostics& diags)
{
  if (node.is_scalar() && std::find(choices.begin(), choices.end(), node.scalar) != choices.end())
    return node.scalar;
  std::string hint = node.is_scalar() ? did_you_mean(node.scalar, choices) : "";
  diags.error(node.loc, path,
              fmt::format("expected one of {}, got {}{}", list_names(choices), got(node), hint.empty() ? "" : "; " + hint));
  return std::nullopt;
}

std::optional<bool> read_flag(const YNode& node, const std::string& path, Diagnostics& diags)
{
  if (node.is_scalar() && (node.scalar == "true" || node.scalar == "false"))
    return node.scalar == "true";
  diags.error(node.loc, path, fmt::format("expected true or false, got {}", got(node)));
  return std::nullopt;
}

bool expect_map(const YNode& node, const std::string& path, Diagnostics& diags)
{
  if (node.is_map())
    return true;
  diags.error(node.loc, path, fmt::format("expected a mapping, got {}", got(node)));
  return false;
}

void check_keys(const YNode& map, const std::vector<std::string>& allowed, const std::string& path,
                Diagnostics& diags)
{
  for (const auto& e : map.entries) {
    if (std::find(allowed.begin(), allowed.end(), e.key) != allowed.end())
      continue;
    std::string hint = did_you_mean(e.key, allowed);
    diags.error(e.key_loc, path.empty() ? e.key : path + "." + e.key,
                fmt::format("unknown key; expected one of {}{}", list_names(allowed), hint.empty() ? "" : "; " + hint));
  }
}

namespace {
std::shared_ptr<const Distribution> make_or_report(const std::function<Distribution()>& make, const YNode& node,
                                                   const std::string& path, Diagnostics& diags)
{
  try {
    return std::make_shared<const Distribution>(make());
  } catch (const std::invalid_argument& e) {
    diags.error(node.loc, path, e.what());
    return nullptr;
  }
}

// Reads a list of [number-with-unit..., number] rows (cdf points or histogram bins).
bool read_rows(const YNode& list, size_t width, Unit unit, const std::string& path, Diagnostics& diags,
               std::vector<std::vector<double>>& rows)
{
  if (!list.is_seq() || list.items.empty()) {
    diags.error(list.loc, path, fmt::format("expected a non-empty list of {}-element rows, got {}", width, got(list)));
    return false;
  }
  bool ok = true;
  for (size_t i = 0; i < list.items.size(); ++i) {
    const YNode& row = list.items[i];
    std::string rpath = fmt::format("{}[{}]", path, i);
    if (!row.is_seq() || row.items.size() != width) {
      diags.error(row.loc, rpath, fmt::format("expected a {}-element row, got {}", width, got(row)));
      ok = false;
      continue;
    }
    std::vector<double> vals;
    for (size_t k = 0; k < width; ++k) {
      bool last = k + 1 == width;
      auto v = read_quantity(row.items[k], last ? Unit::Number : unit, rpath, diags, last ? 0 : -1e300);
      if (!v)
        ok = false;
      else
        vals.push_back(*v);
    }
    if (vals.size() == width)
      rows.push_back(vals);
  }
  return ok;
}
}  // namespace

std::shared_ptr<const Distribution> read_distribution(const YNode& node, Unit unit, const std::string& path,
                                                      Diagnostics& diags)
{
  if (node.is_scalar()) {
    auto v = read_quantity(node, unit, path, diags, 0);
    return v ? std::make_shared<const Distribution>(Distribution::constant(*v)) : nullptr;
  }
  if (!node.is_map()) {
    diags.error(node.loc, path,
                fmt::format("expected {} or a distribution such as {{dist: exponential, mean: 1ms}}, got {}",
                            unit_expectation(unit), got(node)));
    return nullptr;
  }
  static const std::vector<std::string> kinds{"constant", "exponential", "uniform", "lognormal",
                                              "normal",   "empirical",   "histogram"};
  const YNode* kind_node = node.find("dist");
  if (!kind_node) {
    diags.error(node.loc, path, "expected a 'dist:' key naming one of " + list_names(kinds));
    return nullptr;
  }
  auto kind = read_choice(*kind_node, kinds, path + ".dist", diags);
  if (!kind)
    return nullptr;
  auto field = [&](const char* key) -> std::optional<double> {
    const YNode* n = node.find(key);
    if (!n) {
      diags.error(node.loc, path, fmt::format("a {} distribution needs '{}:'", *kind, key));
      return std::nullopt;
    }
    return read_quantity(*n, unit, path + "." + key, diags, 0);
  };
  std::vector<std::string> keys{"dist"};
  std::shared_ptr<const Distribution> out;
  if (*kind == "constant") {
    keys.push_back("value");
    check_keys(node, keys, path, diags);
    if (auto v = field("value"))
      out = std::make_shared<const Distribution>(Distribution::constant(*v));
  } else if (*kind == "exponential") {
    keys.push_back("mean");
    check_keys(node, keys, path, diags);
    auto m = field("mean");
    if (m && *m <= 0)
      diags.error(node.find("mean")->loc, path + ".mean", "expected a mean greater than 0");
    else if (m)
      out = std::make_shared<const Distribution>(Distribution::exponential(*m));
  } else if (*kind == "uniform") {
    keys.insert(keys.end(), {"min", "max"});
    check_keys(node, keys, path, diags);
    auto lo = field("min"), hi = field("max");
    if (lo && hi && *hi < *lo)
      diags.error(node.find("max")->loc, path + ".max",
                  fmt::format("expected a maximum of at least the minimum ({}), got {}", format_quantity(*lo, unit),
                              node.find("max")->describe()));
    else if (lo && hi)
      out = make_or_report([&] { return Distribution::uniform(*lo, *hi); }, node, path, diags);
  } else if (*kind == "lognormal") {
    keys.insert(keys.end(), {"mean", "p99"});
    check_keys(node, keys, path, diags);
    auto m = field("mean"), q = field("p99");
    if (m && q && *q <= *m)
      diags.error(node.find("p99")->loc, path + ".p99",
                  fmt::format("expected a p99 greater than the mean ({}), got {}", format_quantity(*m, unit),
                              node.find("p99")->describe()));
    else if (m && q)
      out = make_or_report([&] { return Distribution::lognormal_mean_p99(*m, *q); }, node, path, diags);
  } else if (*kind == "normal") {
    keys.insert(keys.end(), {"mean", "stddev"});
    check_keys(node, keys, path, diags);
    auto m = field("mean"), s = field("stddev");
    if (m && s)
      out = make_or_report([&] { return Distribution::normal_truncated(*m, *s); }, node, path, diags);
  } else if (*kind == "empirical") {
    keys.push_back("cdf");
    check_keys(node, keys, path, diags);
    const YNode* cdf = node.find("cdf");
    std::vector<std::vector<double>> rows;
    if (!cdf)
      diags.error(node.loc, path, "an empirical distribution needs 'cdf: [[value, cumulative probability], ...]'");
    else if (read_rows(*cdf, 2, unit, path + ".cdf", diags, rows)) {
      std::vector<std::pair<double, double>> pts;
      for (auto& r : rows)
        pts.emplace_back(r[0], r[1]);
      out = make_or_report([&] { return Distribution::empirical(pts); }, *cdf, path + ".cdf", diags);
    }
  } else if (*kind == "histogram") {
    keys.push_back("bins");
    check_keys(node, keys, path, diags);
    const YNode* bins = node.find("bins");
    std::vector<std::vector<double>> rows;
    if (!bins)
      diags.error(node.loc, path, "a histogram distribution needs 'bins: [[low, high, weight], ...]'");
    else if (read_rows(*bins, 3, unit, path + ".bins", diags, rows)) {
      std::vector<std::tuple<double, double, double>> b;
      for (auto& r : rows)
        b.emplace_back(r[0], r[1], r[2]);
      out = make_or_report([&] { return Distribution::histogram(b); }, *bins, path + ".bins", diags);
    }
  }
  return out;
}

namespace {
std::optional<ParamValue> read_param_value(const ParamSpec& p, const YNode& node, const std::string& path,
                                           Diagnostics& diags)
{
  switch (p.kind) {
    case ParamKind::Quantity:
      if (auto v = read_quantity(node, p.unit, path, diags, p.min, p.max, p.integer))
        return ParamValue{*v};
      return std::nullopt;
    case ParamKind::Enum:
      if (auto v = read_choice(node, p.choices, path, diags))
        return ParamValue{*v};
      return std::nullopt;
    case ParamKind::Text:
    case ParamKind::ComponentRef:
    case ParamKind::KeySpaceRef:
    case ParamKind::FlowRef:
      if (auto v = read_text(node, path, diags))
        return ParamValue{*v};
      return std::nullopt;
    case ParamKind::Flag:
      if (auto v = read_flag(node, path, diags))
        return ParamValue{*v};
      return std::nullopt;
    case ParamKind::Distribution:
      if (auto d = read_distribution(node, p.unit, path, diags))
        return ParamValue{d};
      return std::nullopt;
  }
  return std::nullopt;
}
}  // namespace

// Parameters whose value is text (a name), empty when not given.
static bool is_name(ParamKind k)
{
  return k == ParamKind::Text || k == ParamKind::ComponentRef || k == ParamKind::KeySpaceRef || k == ParamKind::FlowRef;
}

ParamValue parse_default(const ParamSpec& p)
{
  if (is_name(p.kind))
    return ParamValue{p.default_text};
  Diagnostics diags;
  YNode node = load_yaml_text(p.default_text, "<default of " + p.name + ">", diags);
  if (diags.ok()) {
    auto v = read_param_value(p, node, p.name, diags);
    if (v && diags.ok())
      return *v;
  }
  throw std::logic_error("invalid default for parameter '" + p.name + "': " + diags.str());
}

namespace {
bool valid_identifier(const std::string& s)
{
  if (s.empty() || s.size() > 64 || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_'))
    return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

}  // namespace

void check_identifier(const std::string& name, const SourceLoc& loc, const std::string& path, Diagnostics& diags)
{
  if (!valid_identifier(name))
    diags.error(loc, path,
                fmt::format("expected a name of letters, digits, '_' or '-' (starting with a letter, at most 64 "
                            "characters), got '{}'",
                            name));
}

ParamValues read_params(const ModelSpec& spec, const YNode& map, const std::string& path, Diagnostics& diags,
                        const std::vector<std::string>& reserved)
{
  ParamValues out;
  size_t errors_before             = diags.items().size();
  std::vector<std::string> allowed = reserved;
  for (const auto& p : spec.params)
    allowed.push_back(p.name);
  check_keys(map, allowed, path, diags);
  for (const auto& p : spec.params) {
    const YNode* node = map.find(p.name);
    std::string ppath = path + "." + p.name;
    if (node) {
      if (auto v = read_param_value(p, *node, ppath, diags))
        out.set(p.name, std::move(*v), true);
    } else if (p.required && p.default_text.empty()) {
      diags.error(map.loc, path, fmt::format("missing required parameter '{}' ({})", p.name, p.doc));
    } else if (!p.default_text.empty()) {
      out.set(p.name, parse_default(p), false);
    } else if (is_name(p.kind)) {
      out.set(p.name, std::string{}, false);
    }
  }
  if (spec.check && diags.items().size() == errors_before)
    spec.check(out, map.loc, path, diags);
  return out;
}

}  // namespace archsim
