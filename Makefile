# Correio — front door. `make run` and `make test` do all set-up on a fresh Debian 12 machine.
# Every target first installs the missing Debian packages listed in packaging/debian-packages.txt.

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc)
QUICKSTART ?= var/quickstart
FUZZ_SECONDS ?= 30

.PHONY: all deps build run test test-asan bench fuzz format clean

all: build

deps:
	@packaging/install-deps.sh packaging/debian-packages.txt
	@packaging/ensure-users.sh

$(BUILD)/build.ninja: CMakeLists.txt | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCORREIO_WERROR=ON

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/bin/correio quickstart $(QUICKSTART)
	exec $(BUILD)/bin/correio -c $(QUICKSTART) start-fg

test: build
	cd $(BUILD) && ctest --output-on-failure -j 2 --timeout 900

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCORREIO_WERROR=ON -DCORREIO_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j 2 --timeout 900

bench: build
	bench/run-all.sh $(BUILD)

fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCORREIO_FUZZ=ON
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	fuzz/run-all.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

format:
	find src tests fuzz -name '*.cpp' -o -name '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
