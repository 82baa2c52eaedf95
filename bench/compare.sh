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

# The speed guard, in one command: on every real repository (Apache APISIX and the others in
# ../shared/real-repos: shallow bare clones packed as `<name>.git.tgz`), at its newest release
# tag, with the release build of the xtask:
#
# - `xtask package --no-sign` against `git archive --format=tar.gz` of the same tag (goal:
#   at most 0.6x the time);
# - `xtask verify` against the voter's script on the same candidate: `sha512sum -c`,
#   `gpg --verify` against KEYS in a throwaway keyring, `tar -tzf` (goal: at most 1.2x);
# - the peak resident memory of the xtask in both (goal: under 100 MiB);
# - for a Rust workspace (a root Cargo.toml), what the load check costs `package`: the same
#   tag packaged with and without its root manifest (goal: under 10 %);
# - then bench/package-memory.sh and bench/verify-memory.sh at the reader's entry limit.
#
# The tool and its peer alternate in one run, each pair in turn starting with the other, and
# the ratios are per pair: median and spread (lowest-highest), with the median CPU-time ratio
# (which moves less with the machine's load), and the load average around each repository.
#
#   ASF_REAL_REPOS=../shared/real-repos bash bench/compare.sh [REPO.git.tgz ...]
#
# Without arguments, every `*.git.tgz` in ASF_REAL_REPOS (the folder the tests use). BENCH_RUNS (default 5 pairs), XTASK=<binary>
# (default: a release build), BENCH_ENTRIES (default 1000000; 0 skips the memory benches at
# the entry limit), BENCH_REF_<NAME>=<tag> (another tag, like BENCH_REF_APISIX=3.17.0). Needs
# python3, git, gpg, sha512sum and tar.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${XTASK:-}" ]; then
  cargo build --quiet --release --package xtask
  XTASK="$PWD/target/release/xtask"
fi
export XTASK
if [ $# -eq 0 ]; then
  set -- "${ASF_REAL_REPOS:?set ASF_REAL_REPOS to the folder of the real repositories}"/*.git.tgz
fi
python3 bench/compare.py "$@"
entries=${BENCH_ENTRIES:-1000000}
if [ "$entries" != 0 ]; then
  echo
  bash bench/package-memory.sh "$entries"
  bash bench/verify-memory.sh "$entries"
fi
