#include "sim/scenario/yaml_tree.h"

#include <algorithm>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <unordered_map>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/mark.h>
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

// Thrown out of the event handler to stop the parser once a fatal problem has been reported.
struct StopParsing {};

// Builds the YNode tree straight from yaml-cpp's parser events, in one pass. We do not use
// YAML::LoadAll: in yaml-cpp 0.7 it loops for ever, allocating, on a document that starts with
// ',' (jbeder/yaml-cpp#1040, fixed upstream by #1319). Building from events also lets us stop at
// the second document, expand aliases under a node budget, and tell an alias inside its own
// anchor (a cycle) from a deep tree.
class TreeBuilder : public YAML::EventHandler {
public:
  TreeBuilder(const std::string& file, const std::string& text, Diagnostics& diags, const YamlLimits& limits)
      : file_(file), text_(text), diags_(diags), budget_(limits.max_nodes), max_depth_(limits.max_depth)
  {
  }

  YNode take_root() { return std::move(root_); }

  void OnDocumentStart(const YAML::Mark& mark) override
  {
    if (documents_++ == 0) {
      first_document_ = mark;
      return;
    }
    // A second document. yaml-cpp 0.7 also "starts" one, again and again, at a token it could
    // not parse: then the position has not moved, or no '---' stands there.
    bool separator = mark.pos >= 0 && text_.compare(static_cast<size_t>(mark.pos), 3, "---") == 0;
    if (separator && mark.pos != first_document_.pos)
      fail(mark, "", "expected one YAML document, got several (remove the '---' separators)");
    char c = mark.pos >= 0 && static_cast<size_t>(mark.pos) < text_.size() ? text_[mark.pos] : '?';
    fail(mark, "", fmt::format("invalid YAML: unexpected '{}'", c));
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override
  {
    YNode n;
    n.loc = loc(mark);
    spend(1, mark);
    complete(std::move(n), anchor, 1, 0);
  }

  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, const std::string& value) override
  {
    YNode n;
    n.kind   = YNode::Kind::Scalar;
    n.scalar = value;
    n.loc    = loc(mark);
    spend(1, mark);
    complete(std::move(n), anchor, 1, 0);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override
  {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end())  // yaml-cpp knows the anchor, so it is still open: we are inside it
      fail(mark, child_path(), "an alias inside the node it refers to (such as 'a: &a [*a]') would nest without end");
    const Anchored& a = it->second;
    if (stack_.size() + a.height > max_depth_)
      fail(mark, child_path(), too_deep());
    spend(a.nodes, mark);
    complete(YNode(a.node), 0, a.nodes, a.height);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override
  {
    open(mark, anchor, YNode::Kind::Sequence);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, YAML::EmitterStyle::value) override
  {
    open(mark, anchor, YNode::Kind::Map);
  }
  void OnMapEnd() override { close(); }

private:
  struct Anchored {
    YNode node;
    size_t nodes;   // in the subtree, for the budget
    size_t height;  // levels below the node, for the depth limit
  };

  // A sequence or mapping being built.
  struct Frame {
    YNode node;
    YAML::anchor_t anchor = 0;
    std::string path;
    size_t nodes  = 1;
    size_t height = 0;
    // Mappings alternate key and value.
    bool have_key  = false;
    bool skip_next = false;  // the key was wrong (reported): drop its value
    std::string key;
    SourceLoc key_loc;
    std::set<std::string> seen;
  };

  SourceLoc loc(const YAML::Mark& m) const { return {file_, m.line + 1, m.column + 1}; }

  [[noreturn]] void fail(const YAML::Mark& mark, const std::string& path, const std::string& message)
  {
    diags_.error(loc(mark), path.size() > 60 ? path.substr(0, 57) + "..." : path, message);
    throw StopParsing{};
  }

  std::string too_deep() const
  {
    return fmt::format("nesting too deep (more than {} levels; a scenario needs a few)", max_depth_);
  }

  void spend(size_t nodes, const YAML::Mark& mark)
  {
    if (nodes > budget_)
      fail(mark, child_path(), "document too large (over the node limit after alias expansion)");
    budget_ -= nodes;
  }

  // The path the next node will have, from the innermost open container.
  std::string child_path() const
  {
    if (stack_.empty())
      return "";
    const Frame& f = stack_.back();
    if (f.node.is_seq())
      return fmt::format("{}[{}]", f.path, f.node.items.size());
    if (f.have_key)
      return f.path.empty() ? f.key : f.path + "." + f.key;
    return f.path;  // a key that is itself a container
  }

  void open(const YAML::Mark& mark, YAML::anchor_t anchor, YNode::Kind kind)
  {
    if (stack_.size() >= max_depth_)
      fail(mark, child_path(), too_deep());
    spend(1, mark);
    Frame f;
    f.path      = child_path();
    f.node.kind = kind;
    f.node.loc  = loc(mark);
    f.anchor    = anchor;
    stack_.push_back(std::move(f));
  }

  void close()
  {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    complete(std::move(f.node), f.anchor, f.nodes, f.height + 1);
  }

  // A node is complete: remember it if anchored, and hand it to its parent.
  void complete(YNode n, YAML::anchor_t anchor, size_t nodes, size_t height)
  {
    if (anchor != 0)
      anchors_[anchor] = Anchored{n, nodes, height};
    if (stack_.empty()) {
      root_ = std::move(n);
      return;
    }
    Frame& p = stack_.back();
    p.nodes += nodes;
    p.height = std::max(p.height, height);
    if (p.node.is_seq()) {
      p.node.items.push_back(std::move(n));
      return;
    }
    if (!p.have_key) {
      p.have_key  = true;
      p.skip_next = false;
      p.key_loc   = n.loc;
      if (!n.is_scalar()) {
        diags_.error(n.loc, p.path,
                     fmt::format("expected a plain key, got {} as a key",
                                 n.is_map() ? "a mapping" : n.is_seq() ? "a list" : "nothing"));
        p.skip_next = true;
        p.key.clear();
        return;
      }
      p.key = n.scalar;
      if (!p.seen.insert(p.key).second) {
        diags_.error(n.loc, p.path.empty() ? p.key : p.path + "." + p.key,
                     "duplicate key (each key may appear once in a mapping)");
        p.skip_next = true;
      }
      return;
    }
    p.have_key = false;
    if (!p.skip_next)
      p.node.entries.push_back({p.key, p.key_loc, std::move(n)});
  }

  std::string file_;
  const std::string& text_;
  Diagnostics& diags_;
  size_t budget_;
  size_t max_depth_;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, Anchored> anchors_;
  YNode root_;
  int documents_ = 0;
  YAML::Mark first_document_;
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
  TreeBuilder builder(name, text, diags, limits);
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(builder)) {
    }
  } catch (const StopParsing&) {
    return YNode{};
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp 0.7 gives this exception the message "bad file"; say what it means.
    diags.error({name, e.mark.line + 1, e.mark.column + 1}, "",
                "invalid YAML: nesting too deep (a scenario needs a few levels, not hundreds)");
    return YNode{};
  } catch (const YAML::Exception& e) {
    diags.error({name, e.mark.line + 1, e.mark.column + 1}, "", "invalid YAML: " + e.msg);
    return YNode{};
  } catch (const std::exception& e) {
    diags.error(file_loc, "", std::string("invalid YAML: ") + e.what());
    return YNode{};
  }
  return builder.take_root();
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
  // both: the tree builder rejects duplicates).
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
