#!/usr/bin/env bash
# Benchmark: what compiling the xtask costs an adopter's CI before its first step.
#
#   bash bench/build.sh
#
# 1. cold: `cargo build -p xtask` in an empty target directory (dependencies already
#    downloaded, so the network is not measured);
# 2. rebuild: the same after touching one source file of the xtask.
# Both are whole-process wall times on this machine; run it on an idle machine, the figure
# scales with the cores cargo gets.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${BENCH_DIR:-target/bench}/build-target
rm -rf "$target"
cargo fetch --locked --quiet

seconds() {
  local start end
  start=$(date +%s.%N)
  "$@"
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.1f}')"
}

cold=$(seconds cargo build --quiet --locked --package xtask --target-dir "$target")
touch xtask/src/lib.rs
rebuild=$(seconds cargo build --quiet --locked --package xtask --target-dir "$target")
crates=$(cargo tree --locked --package xtask --edges normal,build --prefix none | sort -u | wc -l)

echo "cores:                $(nproc)"
echo "crates compiled:      $crates"
echo "cold build:           ${cold} s"
echo "rebuild after touch:  ${rebuild} s"
