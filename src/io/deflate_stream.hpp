// RFC 1951 raw DEFLATE in both directions of one connection, as IMAP COMPRESS=DEFLATE
// (RFC 4978) needs it: input inflated as it arrives, output deflated and flushed with
// Z_SYNC_FLUSH at every write so the peer sees complete responses. zlib; RAII.
#pragma once

#include <zlib.h>

#include <string>
#include <string_view>

namespace correio::io {

class DeflateStream {
 public:
  DeflateStream();
  ~DeflateStream();
  DeflateStream(const DeflateStream&) = delete;
  DeflateStream& operator=(const DeflateStream&) = delete;

  bool ok() const { return ok_; }
  // Appends the inflated form of `compressed` to `out`; false on corrupt input.
  bool inflate(std::string_view compressed, std::string& out);
  // The deflated form of `plain`, ending at a sync-flush point.
  bool deflate(std::string_view plain, std::string& out);

 private:
  z_stream in_{};
  z_stream out_{};
  bool in_ready_ = false;
  bool out_ready_ = false;
  bool ok_ = false;
};

}  // namespace correio::io
