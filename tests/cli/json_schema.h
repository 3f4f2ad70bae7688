// SPDX-License-Identifier: LGPL-2.1-or-later
// The JSON schema of dmirrorctl as documented in docs/json.md: its tables
// ("### command: X", "### type: X", "### document: X", each with rows
// | `key` | type | when | meaning |) parsed into a checker that reports
// undocumented keys, missing `always` keys and wrong types, and records
// which documented keys it has seen.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace dmirror::testing {

struct SchemaField {
  std::string type;   // e.g. "integer|null", "[finding]", "superblock"
  std::string when;   // "always" or a condition
};

class JsonSchema {
 public:
  // Parses the markdown; sections are named "command:status", "type:event"...
  static JsonSchema parse(const std::string& markdown);

  // Checks `doc` against section `name`; appends problems to `errors`.
  void check(const nlohmann::json& doc, const std::string& name, std::vector<std::string>& errors);

  const std::map<std::string, std::map<std::string, SchemaField>>& sections() const { return sections_; }
  const std::set<std::string>& seen() const { return seen_; }  // "section.key"
  const std::set<std::string>& used() const { return used_; }  // sections checked at least once

 private:
  bool matches(const nlohmann::json& v, const std::string& type, const std::string& path,
               std::vector<std::string>& errors);
  void check_object(const nlohmann::json& v, const std::string& name, const std::string& path,
                    std::vector<std::string>& errors);

  std::map<std::string, std::map<std::string, SchemaField>> sections_;
  std::set<std::string> seen_, used_;
};


namespace schema_detail {

inline std::string trim(std::string s) {
  const char* ws = " \t`";
  s.erase(0, s.find_first_not_of(ws));
  s.erase(s.find_last_not_of(ws) + 1);
  return s;
}

inline std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == sep) {  // markdown "\|"
      cur += sep;
      ++i;
    } else if (s[i] == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += s[i];
    }
  }
  out.push_back(cur);
  return out;
}

}  // namespace schema_detail
using namespace schema_detail;

inline JsonSchema JsonSchema::parse(const std::string& markdown) {
  JsonSchema schema;
  std::istringstream in(markdown);
  std::string section;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("### ", 0) == 0) {
      auto colon = line.find(':');
      section = colon == std::string::npos ? "" : trim(line.substr(4, colon - 4)) + ":" + trim(line.substr(colon + 1));
      if (!section.empty()) schema.sections_[section];
      continue;
    }
    if (line.rfind("## ", 0) == 0) section.clear();
    if (section.empty() || line.rfind("| `", 0) != 0) continue;
    auto cells = split(line, '|');  // "", key, type, when, meaning, ""
    if (cells.size() < 5) continue;
    schema.sections_[section][trim(cells[1])] = SchemaField{trim(cells[2]), trim(cells[3])};
  }
  return schema;
}

inline bool JsonSchema::matches(const nlohmann::json& v, const std::string& type, const std::string& path,
                         std::vector<std::string>& errors) {
  std::vector<std::string> best;
  for (const auto& alt : split(type, '|')) {
    std::vector<std::string> errs;
    bool ok = false;
    if (alt == "string") ok = v.is_string();
    else if (alt == "integer") ok = v.is_number_integer();
    else if (alt == "number") ok = v.is_number();
    else if (alt == "boolean") ok = v.is_boolean();
    else if (alt == "null") ok = v.is_null();
    else if (alt.size() > 2 && alt.front() == '[' && alt.back() == ']') {
      ok = v.is_array();
      for (size_t i = 0; ok && i < v.size(); ++i)
        ok = matches(v[i], alt.substr(1, alt.size() - 2), path + "[" + std::to_string(i) + "]", errs);
    } else if (alt.size() > 2 && alt.front() == '{' && alt.back() == '}') {
      ok = v.is_object();
      for (auto it = v.begin(); ok && it != v.end(); ++it)
        ok = matches(it.value(), alt.substr(1, alt.size() - 2), path + "." + it.key(), errs);
    } else if (sections_.count("type:" + alt)) {
      ok = v.is_object();
      if (ok) {
        check_object(v, "type:" + alt, path, errs);
        ok = errs.empty();
      }
    } else {
      errors.push_back(path + ": the schema names an unknown type '" + alt + "'");
      return false;
    }
    if (ok) return true;
    if (best.empty()) best = errs;
  }
  if (best.empty()) best.push_back(path + ": " + v.dump() + " is not of type " + type);
  errors.insert(errors.end(), best.begin(), best.end());
  return false;
}

inline void JsonSchema::check_object(const nlohmann::json& v, const std::string& name, const std::string& path,
                              std::vector<std::string>& errors) {
  const auto& fields = sections_.at(name);
  used_.insert(name);
  for (auto it = v.begin(); it != v.end(); ++it) {
    auto f = fields.find(it.key());
    if (f == fields.end()) {
      errors.push_back(path + "." + it.key() + ": not documented in docs/json.md (" + name + ")");
      continue;
    }
    seen_.insert(name + "." + it.key());
    matches(it.value(), f->second.type, path + "." + it.key(), errors);
  }
  for (const auto& [key, f] : fields) {
    if (f.when == "always" && !v.contains(key))
      errors.push_back(path + "." + key + ": documented as always present (" + name + ") but missing");
  }
}

inline void JsonSchema::check(const nlohmann::json& doc, const std::string& name, std::vector<std::string>& errors) {
  if (!sections_.count(name)) {
    errors.push_back("docs/json.md has no section '" + name + "'");
    return;
  }
  if (!doc.is_object()) {
    errors.push_back(name + ": the document is not an object");
    return;
  }
  check_object(doc, name, name, errors);
}

}  // namespace dmirror::testing
