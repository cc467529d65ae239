# Counter files as the exporter reads them (src/metrics): a damaged or foreign file in
# metrics_directory must give an error or whole samples, never a read out of bounds.
correio_fuzz_target(metrics_counter_file_fuzz metrics_counter_file_fuzz.cpp correio_metrics)
