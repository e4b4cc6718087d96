// Reader for the `data:` section: key spaces with a size, a popularity law and value sizes.
#include <cmath>
#include <fmt/format.h>

#include "sim/scenario/loader.h"
#include "sim/scenario/readers.h"

namespace archsim {

namespace {
// Splits "zipf(0.99)" into "zipf" and {"0.99"}; "uniform" into "uniform" and {}.
bool split_call(const std::string& text, std::string& fn, std::vector<std::string>& args)
{
  size_t open = text.find('(');
  if (open == std::string::npos) {
    fn = text;
    return true;
  }
  if (text.back() != ')')
    return false;
  fn = text.substr(0, open);
  std::string inner = text.substr(open + 1, text.size() - open - 2);
  size_t start      = 0;
  while (true) {
    size_t comma = inner.find(',', start);
    std::string arg = inner.substr(start, comma - start);
    while (!arg.empty() && arg.front() == ' ')
      arg.erase(0, 1);
    while (!arg.empty() && arg.back() == ' ')
      arg.pop_back();
    args.push_back(arg);
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  return true;
}
}  // namespace

std::shared_ptr<const Popularity> read_popularity(const YNode& node, uint64_t keys, const std::string& path,
                                                  Diagnostics& diags)
{
  const char* expected = "expected uniform, zipf(S) with S > 0 (e.g. zipf(0.99)), or hotset(T, K) "
                         "(T of the traffic on K of the keys, e.g. hotset(80%, 1%))";
  std::string fn;
  std::vector<std::string> args;
  if (!node.is_scalar() || !split_call(node.scalar, fn, args)) {
    diags.error(node.loc, path, fmt::format("{}, got {}", expected, node.describe()));
    return nullptr;
  }
  auto num = [&](const std::string& s, Unit u) { return parse_quantity(s, u); };
  if (fn == "uniform" && args.empty())
    return std::make_shared<const Popularity>(Popularity::uniform(keys));
  if (fn == "zipf" && args.size() == 1) {
    auto s = num(args[0], Unit::Number);
    if (s && *s > 0 && *s <= 10)
      return std::make_shared<const Popularity>(Popularity::zipf(keys, *s));
  }
  if (fn == "hotset" && args.size() == 2) {
    auto t = num(args[0], Unit::Fraction), k = num(args[1], Unit::Fraction);
    if (t && k && *t > 0 && *t <= 1 && *k > 0 && *k < 1)
      return std::make_shared<const Popularity>(Popularity::hot_set(keys, *t, *k));
  }
  diags.error(node.loc, path, fmt::format("{}, got {}", expected, node.describe()));
  return nullptr;
}

void read_data(const YNode& node, Scenario& sc, Diagnostics& diags)
{
  if (!expect_map(node, "data", diags))
    return;
  for (const auto& e : node.entries) {
    std::string path = "data." + e.key;
    if (!expect_map(e.value, path, diags))
      continue;
    check_keys(e.value, {"keys", "popularity", "value_size", "ttl"}, path, diags);
    KeySpaceSpec ks;
    ks.name = e.key;
    ks.loc  = e.key_loc;
    if (const YNode* n = e.value.find("keys")) {
      if (auto v = read_quantity(*n, Unit::Count, path + ".keys", diags, 1, 1e12, true))
        ks.keys = static_cast<uint64_t>(*v);
    } else {
      diags.error(e.value.loc, path, "missing 'keys:' (how many distinct keys, e.g. 100M)");
    }
    if (ks.keys > 0) {
      if (const YNode* n = e.value.find("popularity"))
        ks.popularity = read_popularity(*n, ks.keys, path + ".popularity", diags);
      else
        ks.popularity = std::make_shared<const Popularity>(Popularity::uniform(ks.keys));
    }
    if (const YNode* n = e.value.find("value_size"))
      ks.value_size = read_distribution(*n, Unit::Size, path + ".value_size", diags);
    else
      ks.value_size = std::make_shared<const Distribution>(Distribution::constant(1000));
    if (const YNode* n = e.value.find("ttl"))
      if (auto v = read_quantity(*n, Unit::Duration, path + ".ttl", diags, 0))
        ks.ttl = *v;
    sc.data.push_back(std::move(ks));
  }
}

}  // namespace archsim
