// libFuzzer target: postconf -Me/-MX/-M#/-Pe/-PX on arbitrary master.cf text. Input: one
// byte choosing the mode, the command-line argument up to the first newline, then the file.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "cli/postconf_master_edit.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace pc = correio::cli::postconf;
  if (size < 1) return 0;
  auto mode = static_cast<pc::MasterEditMode>(data[0] % 5);
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  size_t nl = rest.find('\n');
  std::string_view argument = rest.substr(0, nl);
  std::string_view text = nl == std::string_view::npos ? "" : rest.substr(nl + 1);
  auto request = pc::parse_master_edit_argument(argument, mode);
  if (!request) return 0;
  std::vector<pc::MasterEditRequest> requests{*request};
  (void)pc::edit_master_cf_text(text, "master.cf", mode, requests);
  return 0;
}
