#!/usr/bin/env bash
# Licensed to the Apache Software Foundation (ASF) under one
# or more contributor license agreements.  See the NOTICE file
# distributed with this work for additional information
# regarding copyright ownership.  The ASF licenses this file
# to you under the Apache License, Version 2.0 (the
# "License"); you may not use this file except in compliance
# with the License.  You may obtain a copy of the License at
#
#   http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing,
# software distributed under the License is distributed on an
# "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY
# KIND, either express or implied.  See the License for the
# specific language governing permissions and limitations
# under the License.

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
