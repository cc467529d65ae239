// Computation of the cached per-message values (see content_fill.hpp).
#include "mailbox/detail/content_fill.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>

#include "base/file.hpp"
#include "mail/header_fields.hpp"
#include "mail/imap_structure.hpp"
#include "mail/mime_parser.hpp"
#include "mailbox/detail/fs_util.hpp"
#include "mailbox/mailbox.hpp"

namespace correio::mailbox::detail {
namespace {

// What the tasks of one compute_contents() call share. Held by shared_ptr: a helper task
// the pool starts after the caller has returned finds nothing left to do and must still
// find the counters alive.
struct Batch {
  std::vector<std::string> paths;
  unsigned fields = 0;
  std::vector<ContentValues> out;
  std::atomic<size_t> next{0};
  size_t done = 0;  // under mutex
  std::mutex mutex;
  std::condition_variable finished;

  // Takes messages until none is left; returns how many this thread computed.
  void work() {
    size_t mine = 0;
    for (size_t i = next.fetch_add(1); i < paths.size(); i = next.fetch_add(1)) {
      auto raw = base::read_file(paths[i], kAnySize);
      if (raw) out[i] = compute_content(*raw, fields);
      ++mine;
    }
    if (mine == 0) return;
    std::lock_guard lock(mutex);
    done += mine;
    if (done == paths.size()) finished.notify_all();
  }
};

}  // namespace

ContentValues compute_content(std::string_view raw, unsigned fields) {
  ContentValues v;
  v.ok = true;
  v.fields = fields;
  if ((fields & (kCacheEnvelope | kCacheBodyStructure | kCacheBody)) == 0) {
    // A header alone needs no MIME parse (header searches, SORT, THREAD).
    v.header = std::string(raw.substr(0, mail::find_header_end(raw).header_size));
    return v;
  }
  mail::MimePart root = mail::parse_mime(raw);
  std::string_view header = raw.substr(0, root.header_size);
  if (fields & kCacheEnvelope) v.envelope = mail::imap_envelope(header);
  if (fields & kCacheBodyStructure) v.body_structure = mail::imap_body_structure(raw, root, true);
  if (fields & kCacheBody) v.body = mail::imap_body_structure(raw, root, false);
  if (fields & kCacheHeader) v.header = std::string(header);
  return v;
}

std::vector<ContentValues> compute_contents(const std::vector<std::string>& paths, unsigned fields,
                                            WorkPool* pool) {
  auto batch = std::make_shared<Batch>();
  batch->paths = paths;
  batch->fields = fields;
  batch->out.resize(paths.size());
  unsigned threads = pool ? std::max(1u, pool->parallelism()) : 1u;
  threads = std::min<unsigned>(threads, static_cast<unsigned>(paths.size()));
  for (unsigned t = 1; t < threads; ++t) pool->post([batch] { batch->work(); });
  batch->work();
  std::unique_lock lock(batch->mutex);
  batch->finished.wait(lock, [&] { return batch->done == batch->paths.size(); });
  return std::move(batch->out);
}

}  // namespace correio::mailbox::detail
