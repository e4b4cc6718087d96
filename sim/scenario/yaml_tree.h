#pragma once
// A scenario's YAML as a plain tree that remembers where each node came from. We build it once
// from yaml-cpp's parser events, with guards against hostile input (size, binary data, nesting
// depth, alias bombs and cycles, duplicate keys, several documents), and then merge variant
// patches on this tree: a patched node keeps the file position it was written at, so an error in
// a variant points into the variant.
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/diagnostics.h"

namespace archsim {

struct YEntry;

struct YNode {
  enum class Kind { Null, Scalar, Sequence, Map };
  Kind kind = Kind::Null;
  std::string scalar;           // for Scalar
  std::vector<YNode> items;     // for Sequence
  std::vector<YEntry> entries;  // for Map, in file order
  SourceLoc loc;

  bool is_map() const { return kind == Kind::Map; }
  bool is_seq() const { return kind == Kind::Sequence; }
  bool is_scalar() const { return kind == Kind::Scalar; }
  bool is_null() const { return kind == Kind::Null; }
  const YNode* find(std::string_view key) const;
  YNode* find(std::string_view key);
  // "a mapping", "a list", "'abc'", "nothing": for "expected X, got Y" messages.
  std::string describe() const;
};

struct YEntry {
  std::string key;
  SourceLoc key_loc;
  YNode value;
};

// Limits that bound memory and time whatever the input.
struct YamlLimits {
  size_t max_file_bytes = 4u << 20;  // scenarios are hand-written: 4 MiB is generous
  size_t max_nodes      = 1000000;   // after alias expansion
  // Nesting depth of the tree, aliases expanded: every later pass over the tree recurses, so a
  // deep tree (thousands of '[', or a chain of anchors each holding the previous one) must stop
  // here rather than exhaust a stack.
  size_t max_depth = 200;
};

// Loads and converts a file. On any failure adds diagnostics and returns a Null node.
YNode load_yaml_file(const std::string& path, Diagnostics& diags, const YamlLimits& limits = {});
YNode load_yaml_text(const std::string& text, const std::string& name, Diagnostics& diags,
                     const YamlLimits& limits = {});

// Patch semantics for variants: maps merge key by key (recursively), a null value deletes the
// key, anything else (scalars, lists) replaces the base value whole.
void merge_patch(YNode& base, const YNode& patch);

}  // namespace archsim
