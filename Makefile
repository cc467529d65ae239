# Correio — front door. `make run` and `make test` do all set-up on a fresh Debian 12 machine.
# `make build` and `make run` install only the missing packages of packaging/debian-packages.txt
# (what building and running need); `make test`, `test-asan`, `bench` and `fuzz` add those of
# packaging/debian-test-packages.txt (test peers such as PostgreSQL, Dovecot and Postfix).

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc)
QUICKSTART ?= var/quickstart
PREFIX     ?= /usr/local
FUZZ_SECONDS ?= 30

RUN_PACKAGES  = packaging/debian-packages.txt
TEST_PACKAGES = packaging/debian-test-packages.txt

.PHONY: all deps test-deps build build-tests run install test test-asan bench fuzz format clean

all: build

deps:
	@packaging/install-deps.sh $(RUN_PACKAGES)
	@packaging/ensure-users.sh

test-deps: deps
	@packaging/install-deps.sh $(RUN_PACKAGES) $(TEST_PACKAGES)

$(BUILD)/build.ninja: CMakeLists.txt | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCORREIO_WERROR=ON

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# The build directory may have been configured by `make build` before GoogleTest was
# installed: configure again so that the unit tests are built too.
build-tests: test-deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCORREIO_WERROR=ON
	cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/bin/correio quickstart $(QUICKSTART)
	exec $(BUILD)/bin/correio -c $(QUICKSTART) start-fg

# The binary stripped (debug info in PREFIX/lib/debug), Postfix's command names as links, man
# pages, /etc/correio/main.cf and master.cf unless they exist, the systemd unit; DESTDIR
# stages it elsewhere (cmake/install.cmake).
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

test: build-tests
	cd $(BUILD) && ctest --output-on-failure -j 2 --timeout 900

test-asan: test-deps
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCORREIO_WERROR=ON -DCORREIO_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j 2 --timeout 900

bench: build-tests
	bench/run-all.sh $(BUILD)

fuzz: test-deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCORREIO_FUZZ=ON
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	fuzz/run-all.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

format:
	find src tests fuzz -name '*.cpp' -o -name '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
