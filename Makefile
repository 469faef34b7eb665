# SPDX-License-Identifier: Apache-2.0
# A thin shim over CMake presets, so that the usual commands work:
#   make           release build (build/release)
#   make test      install dependencies, build (dev preset), run every test
#   make run       install dependencies, build, start sesamed in dev mode
#   make asan      ASan + UBSan build and every test
#   make fuzz      libFuzzer builds of the harnesses (FUZZ_SECONDS=60 each)
#   make bench     benchmarks in bench/
#   make install   PREFIX=/usr/local DESTDIR=
#   make format    clang-format the tree

PREFIX ?= /usr/local
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 60
CTEST_ARGS ?=

.PHONY: all release deps dev test run asan fuzz bench install format clean

all: release

release:
	cmake --preset release -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	cmake --build --preset release -j $(JOBS)

deps:
	./scripts/install-deps

dev:
	cmake --preset dev >/dev/null
	cmake --build --preset dev -j $(JOBS)

test: deps dev
	ctest --preset dev -j $(JOBS) $(CTEST_ARGS)

run: deps dev
	./scripts/run-dev build/dev

asan: deps
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j $(JOBS)
	ctest --preset asan -j $(JOBS) $(CTEST_ARGS)

fuzz: deps
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(JOBS)
	./scripts/fuzz build/fuzz $(FUZZ_SECONDS)

bench: deps release
	./bench/run build/release

install: release
	DESTDIR=$(DESTDIR) cmake --install build/release --prefix $(PREFIX)

format:
	find include src tests bench -name '*.[ch]' | xargs clang-format -i

clean:
	rm -rf build
