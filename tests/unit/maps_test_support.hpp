// A temporary directory per test for the lookup-table tests, a file writer, and a lookup
// that reads as the answer or "(none)".
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "maps/map.hpp"

namespace correio::maps::testing {

class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "correio-maps.XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::string write(const std::string& name, const std::string& text) {
    auto p = root_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  std::filesystem::path root_;
};

// The answer to `key`, "(none)" when there is none; a failed lookup fails the test.
inline std::string get(Map& map, std::string_view key) {
  auto r = map.lookup(key);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() && *r ? **r : "(none)";
}

}  // namespace correio::maps::testing
