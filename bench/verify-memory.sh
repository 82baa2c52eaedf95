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

# Benchmark: peak memory of `xtask verify` on a candidate with many entries with long names
# (1,000,000 by default: the reader's entry limit). What verify keeps per entry is a few
# 64-bit hashes, so the figure must stay flat (under 100 MiB) whatever the entry count.
#
#   bash bench/verify-memory.sh [ENTRIES]            (default: 1000000)
#
# XTASK=<path> uses a binary already built (default: a release build). Needs python3 and gpg;
# the signing key is generated in a throwaway GNUPGHOME under the bench directory.
set -euo pipefail
cd "$(dirname "$0")/.."
entries=${1:-1000000}
work=${BENCH_DIR:-target/bench}/verify-$entries
if [ -z "${XTASK:-}" ]; then
  cargo build --quiet --release --package xtask
  XTASK="$PWD/target/release/xtask"
fi
mkdir -p "$work"
work=$(cd "$work" && pwd)
repo="$work/repo"
candidate="$work/candidate"
tarball="$candidate/apache-bench-1.0.0-src.tgz"

if [ ! -f "$tarball.asc" ]; then
  echo "generating $tarball: $entries entries with long names"
  mkdir -p "$repo" "$candidate"
  printf '[workspace.metadata.asf-release]\nname = "bench"\n' >"$repo/Cargo.toml"
  python3 - "$tarball" "$entries" <<'PY'
import io, sys, tarfile
path, entries = sys.argv[1], int(sys.argv[2])
top = "apache-bench-1.0.0-src"
long = "a-rather-long-directory-name-" * 3
def add(tar, name, data=b"", kind=tarfile.REGTYPE):
    info = tarfile.TarInfo(f"{top}/{name}" if name else top)
    info.type, info.mode, info.mtime, info.size = kind, 0o755 if kind == tarfile.DIRTYPE else 0o644, 0, len(data)
    tar.addfile(info, io.BytesIO(data) if data else None)
with tarfile.open(path, "w:gz", format=tarfile.GNU_FORMAT, compresslevel=1) as tar:
    add(tar, "", kind=tarfile.DIRTYPE)
    add(tar, "LICENSE", open("LICENSE", "rb").read())
    add(tar, "NOTICE", open("NOTICE", "rb").read())
    for i in range(entries - 3):
        add(tar, f"docs/d{i % 1000}/{long}/file-with-a-long-name-number-{i:07}.txt", b"x\n")
PY
  export GNUPGHOME="$work/gnupg"
  mkdir -p -m 700 "$GNUPGHOME"
  gpg --batch --passphrase '' --quick-generate-key "Bench RM <bench@example.org>" ed25519 sign never
  gpg --batch --armor --export >"$work/KEYS"
  (cd "$candidate" && sha512sum apache-bench-1.0.0-src.tgz >apache-bench-1.0.0-src.tgz.sha512)
  gpg --batch --armor --detach-sign --output "$tarball.asc" "$tarball"
  gpgconf --kill all
fi
echo "candidate: $(stat -c %s "$tarball") bytes compressed"

# Peak resident memory (VmHWM) of xtask, and the run's wall time and result.
python3 - "$XTASK" --repo "$repo" verify 1.0.0 --rc 1 --from "$candidate" --keys "$work/KEYS" <<'PY'
import subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
peak = 0
while proc.poll() is None:
    try:
        for line in open(f"/proc/{proc.pid}/status"):
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]) // 1024)
    except OSError:
        pass
    time.sleep(0.01)
out = proc.stdout.read().decode()
summary = next((l for l in out.splitlines() if l.startswith("summary:")), out[-2000:])
print(f"xtask verify: peak {peak} MiB resident, {time.perf_counter() - start:.1f} s; {summary}")
PY
