// The metrics library: counter files shared by several handles (as by several processes),
// label escaping, histograms, the exposition text, and dead processes' gauge files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "metrics/catalog.hpp"
#include "metrics/counter_file.hpp"
#include "metrics/exposition.hpp"
#include "metrics/registry.hpp"

namespace correio::metrics {
namespace {

class MetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("metrics_test." + std::to_string(::getpid()) + "." +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    base::Logger::Options options;
    options.process_name = "exporter";
    options.maillog_file = (dir_.parent_path() / (dir_.filename().string() + ".log")).string();
    log_ = std::make_unique<base::Logger>(options);
  }
  void TearDown() override {
    std::filesystem::remove_all(dir_);
    std::filesystem::remove(dir_.parent_path() / (dir_.filename().string() + ".log"));
  }

  config::Config config_from(const std::string& text) {
    auto main_cf = config::MainCf::parse(text, "main.cf");
    EXPECT_TRUE(main_cf.ok());
    auto config = config::Config::from_main_cf(*main_cf, "/nonexistent");
    EXPECT_TRUE(config.ok());
    return std::move(*config);
  }
  config::Config enabled_config() {
    return config_from("metrics_enable = yes\nmetrics_directory = " + dir_.string() + "\n");
  }

  std::filesystem::path dir_;
  std::unique_ptr<base::Logger> log_;
};

TEST_F(MetricsTest, TwoWritersOfOneFileShareEachValue) {
  auto a = CounterFile::open(dir_ / "smtpd.counters");
  auto b = CounterFile::open(dir_ / "smtpd.counters");
  ASSERT_TRUE(a && b);
  auto va = a->value("x_total", "k=\"1\"");
  auto vb = b->value("x_total", "k=\"1\"");
  ASSERT_TRUE(va && vb);
  Counter(*va).add(2);
  Counter(*vb).add(3);
  auto other = b->value("x_total", "k=\"2\"");
  ASSERT_TRUE(other);
  Counter(*other).add();
  auto samples = read_counter_file(dir_ / "smtpd.counters");
  ASSERT_TRUE(samples);
  ASSERT_EQ(samples->size(), 2u);
  EXPECT_EQ((*samples)[0].value, 5u);
  EXPECT_EQ((*samples)[1].labels, "k=\"2\"");
  EXPECT_EQ((*samples)[1].value, 1u);
}

TEST_F(MetricsTest, ForeignFilesAndOversizedNamesAreErrors) {
  std::ofstream(dir_ / "junk.counters") << "not a counter file";
  auto junk = CounterFile::open(dir_ / "junk.counters");
  ASSERT_FALSE(junk);
  EXPECT_NE(junk.error().message.find("junk.counters"), std::string::npos);
  auto file = CounterFile::open(dir_ / "ok.counters");
  ASSERT_TRUE(file);
  EXPECT_FALSE(file->value(std::string(CounterFile::kNameSize, 'n'), ""));
  EXPECT_FALSE(file->value("n", std::string(CounterFile::kLabelsSize, 'l')));
}

TEST_F(MetricsTest, LabelValuesAreEscaped) {
  EXPECT_EQ(label("service", "127.0.0.1:25"), "service=\"127.0.0.1:25\"");
  EXPECT_EQ(label("k", "a\"b\\c\nd"), "k=\"a\\\"b\\\\c\\nd\"");
}

TEST_F(MetricsTest, DisabledRegistryCountsNothingAndWritesNothing) {
  auto config = config_from("metrics_directory = " + dir_.string() + "\n");
  auto registry = Registry::open(config, "smtpd", *log_);
  EXPECT_FALSE(registry->enabled());
  registry->counter("correio_connections_total").add();
  EXPECT_TRUE(std::filesystem::is_empty(dir_));
}

TEST_F(MetricsTest, RegistryRendersCountersGaugesAndHistograms) {
  auto config = enabled_config();
  {
    auto one = Registry::open(config, "127.0.0.1:2525", *log_);
    auto two = Registry::open(config, "127.0.0.1:2525", *log_);  // a second process
    ASSERT_TRUE(one->enabled());
    one->counter("correio_connections_total").add();
    two->counter("correio_connections_total").add(2);
    one->gauge("correio_connections_active").add(3);
    one->gauge("correio_connections_active").add(-1);
    auto h = one->histogram("correio_imap_command_duration_seconds", label("command", "FETCH"));
    h.observe(std::chrono::microseconds(2000));     // 2 ms
    h.observe(std::chrono::microseconds(3000000));  // 3 s
    std::string text = render(collect(dir_, *log_));
    EXPECT_NE(text.find("# TYPE correio_connections_total counter\n"
                        "correio_connections_total{service=\"127.0.0.1:2525\"} 3\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("correio_connections_active{service=\"127.0.0.1:2525\"} 2\n"),
              std::string::npos)
        << text;
    const std::string prefix =
        "correio_imap_command_duration_seconds_bucket{service=\"127.0.0.1:2525\",command="
        "\"FETCH\",";
    EXPECT_NE(text.find(prefix + "le=\"0.001\"} 0\n"), std::string::npos) << text;
    EXPECT_NE(text.find(prefix + "le=\"0.005\"} 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find(prefix + "le=\"5\"} 2\n"), std::string::npos) << text;
    EXPECT_NE(text.find(prefix + "le=\"+Inf\"} 2\n"), std::string::npos) << text;
    EXPECT_NE(text.find("_sum{service=\"127.0.0.1:2525\",command=\"FETCH\"} 3.002\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("# TYPE correio_imap_command_duration_seconds histogram\n"),
              std::string::npos);
  }
  // Both processes ended: their gauge files went with them; counters stay.
  std::string text = render(collect(dir_, *log_));
  EXPECT_EQ(text.find("correio_connections_active"), std::string::npos) << text;
  EXPECT_NE(text.find("correio_connections_total{service=\"127.0.0.1:2525\"} 3\n"),
            std::string::npos);
}

TEST_F(MetricsTest, GaugeFilesOfDeadProcessesAreDropped) {
  // A PID that cannot be running: above pid_max (at most 2^22 on Linux).
  auto file = CounterFile::open(dir_ / gauge_file_name("imap", 99999999));
  ASSERT_TRUE(file);
  Gauge(*file->value("correio_connections_active", "service=\"imap\"")).add(7);
  auto samples = collect(dir_, *log_);
  EXPECT_TRUE(samples.empty());
  EXPECT_FALSE(std::filesystem::exists(dir_ / gauge_file_name("imap", 99999999)));
}

TEST_F(MetricsTest, CatalogKnowsHistogramParts) {
  ASSERT_NE(find_metric("correio_delivery_delay_seconds_bucket"), nullptr);
  EXPECT_EQ(find_metric("correio_delivery_delay_seconds_sum")->name,
            "correio_delivery_delay_seconds");
  EXPECT_EQ(find_metric("correio_connections_total_sum"), nullptr);
  EXPECT_EQ(find_metric("nope"), nullptr);
}

}  // namespace
}  // namespace correio::metrics
