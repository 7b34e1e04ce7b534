#!/usr/bin/env bash
# The release build that the benchmarks measure and the Debian package ships, in one place:
#   bash scripts/release-build.sh      → .build-release/release/healthrun
#
# -static-stdlib links the Swift runtime in (measured to start 6 ms sooner than the dynamically
# linked build and to use less memory; see bench/README.md), but its link arguments name
# -lstdc++, and clang adds -lgcc_s, both as shared libraries. Two linker scripts in a folder
# searched first make those names resolve to GCC's static archives, so the binary needs no
# libstdc++6 or libgcc-s1: ldd shows libc, libm, libsqlite3, libz and what they need (libpq is
# opened with dlopen when a postgres check runs).
#
# --no-export-dynamic undoes the -export-dynamic that -static-stdlib's link arguments add: it
# put 42,000 of our own symbols in the dynamic symbol table, which every start paid for (the
# Swift runtime's start-up dladdr scans it linearly, and its pages are read in): 0.8 ms of a
# 12.9 ms run of one check (bench/README.md). Nothing loads code that links against healthrun;
# a crash trace of the stripped binary shows addresses, which `addr2line -f -e` on this build's
# unstripped binary turns into names.
set -euo pipefail
cd "$(dirname "$0")/.."
static=.build-release/static-cxx
mkdir -p "$static"
stdcxx=$(gcc -print-file-name=libstdc++.a)
gcc_eh=$(gcc -print-file-name=libgcc_eh.a)
[[ -f "$stdcxx" && -f "$gcc_eh" ]] || { echo "release-build: GCC's libstdc++.a and libgcc_eh.a are needed (g++)" >&2; exit 1; }
echo "INPUT($stdcxx)" > "$static/libstdc++.so"
echo "INPUT($gcc_eh)" > "$static/libgcc_s.so"
swift build -c release --product healthrun -Xswiftc -static-stdlib -Xswiftc -L"$PWD/$static" \
    -Xlinker --no-export-dynamic --scratch-path .build-release
