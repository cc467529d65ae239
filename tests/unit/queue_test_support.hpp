// Shared helpers for the queue tests: a fresh queue directory per test and a sample
// envelope that sets every field.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "queue/envelope.hpp"
#include "queue/queue_directories.hpp"

namespace correio::queue::testing {

class QueueDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "correio-queue.XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    ASSERT_TRUE(create_queue_directories(root_).ok());
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::filesystem::path dir(QueueName q) const { return root_ / queue_name(q); }
  size_t count(QueueName q) const {
    auto it = std::filesystem::directory_iterator(dir(q));
    return static_cast<size_t>(std::distance(it, std::filesystem::directory_iterator{}));
  }

  std::filesystem::path root_;
};

inline Envelope sample_envelope() {
  Envelope env;
  env.arrival_us = 1700000000123456;
  env.sender = "alice@example.org";
  env.recipients.push_back({"bob@example.com", "Bob@Example.COM", "rfc822;Bob@Example.COM",
                            kNotifySuccess | kNotifyFailure, false, 0});
  env.recipients.push_back({"carol@example.net", "list@example.net", "", 0, false, 0});
  env.recipients.push_back(
      {"dave@example.com", "dave@example.com", "rfc822;dave@example.com", kNotifyNever, false, 0});
  env.dsn_ret = DsnRet::hdrs;
  env.dsn_envid = "QQ314159";
  env.client = {"mail.example.org", "192.0.2.7", "mail.example.org", "ESMTPSA", "alice"};
  return env;
}

inline std::string read_bytes(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

inline void write_bytes(const std::filesystem::path& p, std::string_view bytes) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace correio::queue::testing
