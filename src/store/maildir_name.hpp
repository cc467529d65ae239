// Maildir file names as Dovecot writes them (design.md §4; Dovecot's maildir-filename.c and
// D. J. Bernstein's maildir(5)): `<sec>.M<usec>P<pid>Q<n>.<host>,S=<size>,W=<vsize>`.
// Pure functions apart from the process-wide delivery counter, which is thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace correio::store {

// The host part of a Maildir name: '/' becomes "\057" and ':' becomes "\072", as Dovecot
// does, so the name stays one path component and never contains the ':' of ":2,FLAGS".
std::string maildir_host_part(std::string_view hostname);

// A unique base name `<sec>.M<usec>P<pid>Q<n>.<host>` for a new message. `n` is a
// per-process counter (maildir(5)'s "Qn" delivery identifier), so two deliveries by one
// process in the same microsecond still get different names. Thread-safe.
std::string maildir_unique_name(std::string_view host_part);

// Same with every part given (for tests and for callers that choose the time).
std::string maildir_unique_name(int64_t sec, int64_t usec, long pid, uint64_t counter,
                                std::string_view host_part);

// The name in new/: `<base>,S=<size>,W=<vsize>`. S= is the file's size in bytes, W= its
// size with CRLF line endings (RFC 822 size, what IMAP's RFC822.SIZE reports).
std::string maildir_sized_name(std::string_view base_name, uint64_t size, uint64_t vsize);

// Whether `a` comes before `b` in delivery order, as Dovecot orders new files: by the
// seconds the names start with, then the microseconds after ".M", both as numbers (they
// are not zero-padded: "M99999" is earlier than "M100000"), then by the whole names.
bool maildir_name_before(std::string_view a, std::string_view b);

}  // namespace correio::store
