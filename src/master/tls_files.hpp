// The key and certificate files the master reads for a service's processes and hands
// down (tls/handed_files.hpp), so that keys may stay readable by root only, as they are
// for Postfix (whose smtpd reads them before it drops root) and Dovecot (whose config
// process passes them). The master reads them when the service starts, and again when
// they change on disk: then it starts new processes with the new files and lets the old
// ones finish their sessions (Supervisor, supervisor_tls.cpp).
// SECURITY: runs as root; opens only the files main.cf names for the service's daemon,
// never parses them beyond the check that they load (the child parses them as well).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/file.hpp"
#include "base/result.hpp"
#include "config/config.hpp"
#include "tls/handed_files.hpp"

namespace correio::master {

struct TlsHandout {
  std::shared_ptr<const tls::HandedFiles> files;
  base::Fd bundle;  // `files` in a sealed memfd (tls::write_sealed), passed to each process
  // What was read, by path: compared with the disk by changed().
  std::vector<std::pair<std::string, base::FileStamp>> stamps;
  // Why a named file could not be read ("cannot open F: Permission denied"); such a file
  // is left to the process, which reports it as it would without the master's help.
  std::vector<std::string> problems;
};

// The files that `command` (a master.cf command: smtpd, imap-login, ...) presents under
// `effective` (main.cf with the service's -o overrides). nullopt: the command presents
// none, none is configured, or none could be read.
std::optional<TlsHandout> prepare_tls_handout(const config::Config& effective,
                                              const std::string& command);

// Whether a file of `handout` is no longer the version read (renewed, replaced, removed).
bool tls_files_changed(const TlsHandout& handout);

// The check before renewed files replace running processes: every file read, and the keys
// and certificates load (a half-written renewal must not replace working processes).
// The error names the file.
Status check_tls_handout(const TlsHandout& handout, const config::Config& effective,
                         const std::string& command);

}  // namespace correio::master
