// Reading and writing the METADATA file format (see metadata_file.hpp).
#include "mailbox/metadata_file.hpp"

#include <charconv>

namespace correio::mailbox {
namespace {
constexpr std::string_view kHeader = "correio-metadata 1\n";

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7F)
      return false;
  }
  return true;
}
}  // namespace

std::optional<MetadataEntries> parse_metadata(std::string_view text) {
  if (text.empty()) return MetadataEntries{};  // no file yet
  if (!text.starts_with(kHeader)) return std::nullopt;
  text.remove_prefix(kHeader.size());
  MetadataEntries entries;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    if (eol == std::string_view::npos) return std::nullopt;
    std::string_view line = text.substr(0, eol);
    size_t space = line.rfind(' ');
    if (space == std::string_view::npos) return std::nullopt;
    std::string_view name = line.substr(0, space), size_text = line.substr(space + 1);
    size_t size = 0;
    auto [end, ec] = std::from_chars(size_text.data(), size_text.data() + size_text.size(), size);
    if (ec != std::errc() || end != size_text.data() + size_text.size() || !valid_name(name))
      return std::nullopt;
    text.remove_prefix(eol + 1);
    if (text.size() < size + 1 || text[size] != '\n') return std::nullopt;
    entries[std::string(name)] = std::string(text.substr(0, size));
    text.remove_prefix(size + 1);
  }
  return entries;
}

std::string format_metadata(const MetadataEntries& entries) {
  std::string out(kHeader);
  for (const auto& [name, value] : entries) {
    out += name;
    out += ' ';
    out += std::to_string(value.size());
    out += '\n';
    out += value;
    out += '\n';
  }
  return out;
}

}  // namespace correio::mailbox
