# The autoconfiguration service's HTTP request heads and autodiscover bodies (src/autoconfig).
correio_fuzz_target(autoconfig_http_fuzz autoconfig_http_fuzz.cpp correio_autoconfig correio_http)
