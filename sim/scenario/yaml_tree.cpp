#include "sim/scenario/yaml_tree.h"

#include <algorithm>
#include <fmt/format.h>
#include <fstream>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <unordered_map>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

namespace archsim {

const YNode* YNode::find(std::string_view key) const
{
  for (const auto& e : entries)
    if (e.key == key)
      return &e.value;
  return nullptr;
}

YNode* YNode::find(std::string_view key)
{
  for (auto& e : entries)
    if (e.key == key)
      return &e.value;
  return nullptr;
}

std::string YNode::describe() const
{
  switch (kind) {
    case Kind::Null:
      return "nothing";
    case Kind::Map:
      return "a mapping";
    case Kind::Sequence:
      return "a list";
    case Kind::Scalar:
      break;
  }
  std::string shown = scalar.size() > 40 ? scalar.substr(0, 37) + "..." : scalar;
  return fmt::format("'{}'", shown);
}

namespace {

class Converter {
public:
  Converter(std::string file, Diagnostics& diags, size_t max_nodes, size_t max_depth)
      : file_(std::move(file)), diags_(diags), budget_(max_nodes), max_depth_(max_depth)
  {
  }

  SourceLoc loc(const YAML::Mark& m) const { return {file_, m.line + 1, m.column + 1}; }

  // `path` names the node for diagnostics ("components.app"), as the section readers do.
  bool convert(const YAML::Node& in, YNode& out, const std::string& path = "", size_t depth = 0)
  {
    if (depth > max_depth_) {
      diags_.error(loc(in.Mark()), path.size() > 60 ? path.substr(0, 57) + "..." : path,
                   fmt::format("nesting too deep (more than {} levels; an alias that contains itself, such as "
                               "'a: &a [*a]', nests without end)",
                               max_depth_));
      return false;
    }
    if (budget_ == 0) {
      if (!exhausted_)
        diags_.error(loc(in.Mark()), path, "document too large (over the node limit after alias expansion)");
      exhausted_ = true;
      return false;
    }
    --budget_;
    out.loc = loc(in.Mark());
    switch (in.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        out.kind = YNode::Kind::Null;
        return true;
      case YAML::NodeType::Scalar:
        out.kind   = YNode::Kind::Scalar;
        out.scalar = in.Scalar();
        return true;
      case YAML::NodeType::Sequence:
        out.kind = YNode::Kind::Sequence;
        for (const auto& item : in) {
          out.items.emplace_back();
          if (!convert(item, out.items.back(), fmt::format("{}[{}]", path, out.items.size() - 1), depth + 1))
            return false;
        }
        return true;
      case YAML::NodeType::Map: {
        out.kind = YNode::Kind::Map;
        std::set<std::string> seen;
        for (const auto& kv : in) {
          SourceLoc key_loc = loc(kv.first.Mark());
          if (!kv.first.IsScalar()) {
            diags_.error(key_loc, path,
                         fmt::format("expected a plain key, got {} as a key",
                                     kv.first.IsMap() ? "a mapping" : kv.first.IsSequence() ? "a list" : "nothing"));
            continue;
          }
          const std::string& key = kv.first.Scalar();
          std::string key_path   = path.empty() ? key : path + "." + key;
          if (!seen.insert(key).second) {
            diags_.error(key_loc, key_path, "duplicate key (each key may appear once in a mapping)");
            continue;
          }
          out.entries.push_back({key, key_loc, {}});
          if (!convert(kv.second, out.entries.back().value, key_path, depth + 1))
            return false;
        }
        return true;
      }
    }
    return true;
  }

private:
  std::string file_;
  Diagnostics& diags_;
  size_t budget_;
  size_t max_depth_;
  bool exhausted_ = false;
};

bool looks_binary(const std::string& text)
{
  if (text.find('\0') != std::string::npos)
    return true;
  // Reject invalid UTF-8: yaml-cpp would otherwise accept or mangle it.
  size_t i = 0;
  while (i < text.size()) {
    auto c    = static_cast<unsigned char>(text[i]);
    int extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : -1;
    if (extra < 0 || i + extra >= text.size())
      return true;
    for (int k = 1; k <= extra; ++k)
      if ((static_cast<unsigned char>(text[i + k]) >> 6) != 0x2)
        return true;
    i += extra + 1;
  }
  return false;
}

}  // namespace

YNode load_yaml_text(const std::string& text, const std::string& name, Diagnostics& diags, const YamlLimits& limits)
{
  YNode root;
  SourceLoc file_loc{name, 0, 0};
  if (text.size() > limits.max_file_bytes) {
    diags.error(file_loc, "", fmt::format("file too large ({} bytes; a scenario may have at most {} bytes)",
                                          text.size(), limits.max_file_bytes));
    return root;
  }
  if (looks_binary(text)) {
    diags.error(file_loc, "", "expected a YAML text file, got binary data (NUL bytes or invalid UTF-8)");
    return root;
  }
  YAML::Node doc;
  try {
    std::vector<YAML::Node> docs = YAML::LoadAll(text);
    if (docs.size() > 1) {
      diags.error({name, docs[1].Mark().line + 1, docs[1].Mark().column + 1}, "",
                  "expected one YAML document, got several (remove the '---' separators)");
      return root;
    }
    if (!docs.empty())
      doc = docs.front();
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp 0.7 gives this exception the message "bad file"; say what it means.
    diags.error({name, e.mark.line + 1, e.mark.column + 1}, "",
                "invalid YAML: nesting too deep (a scenario needs a few levels, not hundreds)");
    return root;
  } catch (const YAML::Exception& e) {
    diags.error({name, e.mark.line + 1, e.mark.column + 1}, "", "invalid YAML: " + e.msg);
    return root;
  } catch (const std::exception& e) {
    diags.error(file_loc, "", std::string("invalid YAML: ") + e.what());
    return root;
  }
  Converter conv(name, diags, limits.max_nodes, limits.max_depth);
  if (doc && !doc.IsNull() && !conv.convert(doc, root))
    return YNode{};
  return root;
}

YNode load_yaml_file(const std::string& path, Diagnostics& diags, const YamlLimits& limits)
{
  SourceLoc file_loc{path, 0, 0};
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    diags.error(file_loc, "", "cannot read the file: no such file");
    return {};
  }
  if (S_ISDIR(st.st_mode)) {
    diags.error(file_loc, "", "expected a scenario file, got a directory");
    return {};
  }
  if (!S_ISREG(st.st_mode)) {
    diags.error(file_loc, "", "expected a regular scenario file, got a device, pipe or socket");
    return {};
  }
  if (static_cast<size_t>(st.st_size) > limits.max_file_bytes) {
    diags.error(file_loc, "", fmt::format("file too large ({} bytes; a scenario may have at most {} bytes)",
                                          st.st_size, limits.max_file_bytes));
    return {};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error(file_loc, "", "cannot read the file: permission denied or I/O error");
    return {};
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  return load_yaml_text(buf.str(), path, diags, limits);
}

void merge_patch(YNode& base, const YNode& patch)
{
  if (!patch.is_map() || !base.is_map()) {
    base = patch;
    return;
  }
  // One index per level, so that merging two wide mappings stays linear (keys are unique in
  // both: the converter rejects duplicates).
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < base.entries.size(); ++i)
    index.emplace(base.entries[i].key, i);
  std::vector<bool> removed(base.entries.size(), false);
  std::vector<YEntry> added;
  for (const auto& e : patch.entries) {
    auto it = index.find(e.key);
    if (e.value.is_null()) {
      if (it != index.end())
        removed[it->second] = true;
    } else if (it != index.end()) {
      merge_patch(base.entries[it->second].value, e.value);
    } else {
      added.push_back(e);
    }
  }
  size_t kept = 0;
  for (size_t i = 0; i < base.entries.size(); ++i) {
    if (removed[i])
      continue;
    if (kept != i)  // never move an entry onto itself: that empties it
      base.entries[kept] = std::move(base.entries[i]);
    ++kept;
  }
  base.entries.resize(kept);
  for (auto& e : added)
    base.entries.push_back(std::move(e));
}

}  // namespace archsim
