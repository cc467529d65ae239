// postconf's pieces that tests call directly: main.cf editing (-e, -X, -#), Postfix's
// output line folding, and the configuration reference generator. Private to src/cli.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.hpp"

namespace correio::cli::postconf {

enum class EditMode {
  kSet,         // -e name=value: replace each entry (and its continuation lines) or append
  kRemove,      // -X name: delete each entry with its continuation lines
  kCommentOut,  // -# name: prefix '#' to each physical line of each entry
};

struct EditRequest {
  std::string name;
  std::string value;  // kSet only
};

// Postfix's pcf_edit_main() on text: comments, blank lines and the order of other entries
// are kept; new entries are appended sorted by name as "name = value". Warnings such as
// "multiple entries for \"name\"" go to *warnings without a prefix.
std::string edit_main_cf_text(std::string_view text, EditMode mode,
                              const std::vector<EditRequest>& requests,
                              std::vector<std::string>* warnings);

// Splits a "name=value" or "name = value" command-line argument.
Result<EditRequest> parse_edit_argument(std::string_view argument);

// Writes `content` to PATH.tmp, fsyncs it, renames it over PATH and fsyncs the directory,
// keeping PATH's permissions when it exists.
Status write_file_atomically(const std::filesystem::path& path, std::string_view content);

// Postfix's pcf_print_line(): words separated by one blank; with `fold`, lines longer
// than 80 columns continue on lines indented by 4 blanks. Ends with '\n'.
std::string format_line(std::string_view text, bool fold);

// docs/configuration.md, generated from the defaults table.
std::string reference_markdown();
// postconf(5), the same table as a man page (roff).
std::string reference_man();

// The whole command with captured output, for tests: argv[0] is "postconf".
int run(const std::vector<std::string>& args, std::string& out, std::string& err);

}  // namespace correio::cli::postconf
