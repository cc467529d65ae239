#include "io/deflate_stream.hpp"

namespace correio::io {

DeflateStream::DeflateStream() {
  // Negative window bits: raw DEFLATE without zlib header, as RFC 4978 §3 requires.
  in_ready_ = inflateInit2(&in_, -15) == Z_OK;
  out_ready_ = deflateInit2(&out_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8,
                            Z_DEFAULT_STRATEGY) == Z_OK;
  ok_ = in_ready_ && out_ready_;
}

DeflateStream::~DeflateStream() {
  if (in_ready_) inflateEnd(&in_);
  if (out_ready_) deflateEnd(&out_);
}

bool DeflateStream::inflate(std::string_view compressed, std::string& out) {
  in_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  in_.avail_in = static_cast<uInt>(compressed.size());
  char chunk[16384];
  do {
    in_.next_out = reinterpret_cast<Bytef*>(chunk);
    in_.avail_out = sizeof chunk;
    int rc = ::inflate(&in_, Z_SYNC_FLUSH);
    if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END) return false;
    out.append(chunk, sizeof chunk - in_.avail_out);
    if (rc == Z_BUF_ERROR && in_.avail_in == 0) break;
  } while (in_.avail_in > 0 || in_.avail_out == 0);
  return true;
}

bool DeflateStream::deflate(std::string_view plain, std::string& out) {
  out_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  out_.avail_in = static_cast<uInt>(plain.size());
  char chunk[16384];
  do {
    out_.next_out = reinterpret_cast<Bytef*>(chunk);
    out_.avail_out = sizeof chunk;
    int rc = ::deflate(&out_, Z_SYNC_FLUSH);
    if (rc != Z_OK && rc != Z_BUF_ERROR) return false;
    out.append(chunk, sizeof chunk - out_.avail_out);
  } while (out_.avail_out == 0);
  return true;
}

}  // namespace correio::io
