// Private to correio_auth: the UserEditor implementations (see user_editor.hpp).
#pragma once

#include <filesystem>
#include <memory>

#include "auth/user_editor.hpp"

namespace correio::auth::detail {

std::unique_ptr<UserEditor> make_passwd_file_editor(std::filesystem::path path,
                                                    const EditorOptions& options);
Result<std::unique_ptr<UserEditor>> make_sqlite_editor(std::filesystem::path path,
                                                       const EditorOptions& options);

// Creates `path` (it must not exist) with mode 0640 and options.new_file_group, empty.
Status create_private_file(const std::filesystem::path& path, const EditorOptions& options);

}  // namespace correio::auth::detail
