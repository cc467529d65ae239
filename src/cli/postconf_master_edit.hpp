// postconf -Me / -MX / -M# / -Pe / -PX / -Fe: edits master.cf text as Postfix's
// pcf_edit_master() does. Private to src/cli; unit tests call it on strings.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace correio::cli::postconf {

enum class MasterEditMode {
  kSetEntry,         // -Me service/type=entry: replace the entry, or append it
  kRemoveEntry,      // -MX service/type
  kCommentOutEntry,  // -M# service/type
  kSetParameter,     // -Pe service/type/name=value: set one -o override
  kRemoveParameter,  // -PX service/type/name: remove every -o override of that name
  kSetField,         // -Fe service/type/field=value: replace one column (command: and its args)
};

struct MasterEditRequest {
  std::string service;
  std::string type;
  std::string parameter;  // -P: the parameter name; -F: the field name
  std::string value;      // kSetEntry: the whole entry; kSetParameter: the value
  bool matched = false;
};

// Splits one command-line argument for `mode`; the Error is Postfix's fatal text.
Result<MasterEditRequest> parse_master_edit_argument(std::string_view argument,
                                                     MasterEditMode mode);

// Returns the edited text. Lines of entries that no request names are kept byte for byte;
// an edited entry is written in postconf -Mf form, after the comment lines that were
// inside it. Sets `matched` on each request that named an entry. An Error means the
// edited text would not parse ("FILE:LINE: error: ...").
Result<std::string> edit_master_cf_text(std::string_view text, std::string_view file_name,
                                        MasterEditMode mode,
                                        std::vector<MasterEditRequest>& requests);

}  // namespace correio::cli::postconf
