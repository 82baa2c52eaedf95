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
#    downloaded, so the network is not measured), with `--timings`: the crates that took
#    longest are printed, since figures differ between machines;
# 2. rebuild: the same after touching one source file of the library;
# 3. an adopter's cold build: the library without this repository's `demo` feature (what an
#    adopter's thin xtask compiles; its `main.rs` of three lines adds nothing measurable).
# Whole-process wall times on this machine, with the CPU time (user and system, every
# process) and the load average before: run it on an idle machine, the wall time scales with
# the cores cargo gets.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${BENCH_DIR:-target/bench}/build-target
rm -rf "$target"
cargo fetch --locked --quiet

# Wall and CPU seconds of a command.
seconds() {
  python3 -c 'import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], check=True)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{wall:.1f} s (CPU {usage.ru_utime + usage.ru_stime:.1f} s)")' "$@"
}

load=$(cut -d" " -f1-3 /proc/loadavg)
cold=$(seconds cargo build --quiet --locked --package xtask --target-dir "$target" --timings)
touch asf-release/src/lib.rs
rebuild=$(seconds cargo build --quiet --locked --package xtask --target-dir "$target")
adopter=$(seconds cargo build --quiet --locked --package asf-release --target-dir "$target-adopter")
rm -rf "$target-adopter"
crates=$(cargo tree --locked --package xtask --edges normal,build --prefix none | sort -u | wc -l)

echo "cores:                $(nproc), load average before: $load"
echo "crates compiled:      $crates"
echo "cold build:           ${cold}"
echo "rebuild after touch:  ${rebuild}"
echo "adopter's cold build: ${adopter} (the library without the demo)"
echo "longest crates of the cold build (cargo --timings, wall time each):"
python3 - "$target/cargo-timings/cargo-timing.html" <<'PY'
import json, sys
html = open(sys.argv[1]).read()
start = html.index("const UNIT_DATA = ") + len("const UNIT_DATA = ")
units = json.loads(html[start:html.index("];", start) + 1])
for unit in sorted(units, key=lambda u: -u["duration"])[:5]:
    print(f"  {unit['duration']:6.1f} s  {unit['name']} {unit['version']}{unit['target']}")
PY
