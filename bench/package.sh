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

# Benchmark: `xtask package --no-sign` against `git archive --format=tar.gz` of the same commit,
# whole-process wall time and peak memory, in one run, on a large synthetic repository or on a
# real one; with the license audit (this build) and without it (the build of the commit before
# the audit was added, with its simple header check; no switch can skip the audit in a release).
#
#   bash bench/package.sh [FILES] [MEGABYTES]      (defaults: 30000 files, 300 MB)
#   BENCH_REPO=../shared/real-repos/apisix.git.tgz BENCH_REF=3.18.0 bash bench/package.sh
#
# A real repository (a git directory, or a `<name>.git.tgz` of a bare one) is cloned and gets
# one commit adding a minimal release configuration to Cargo.toml when it has none; both
# tools package that commit. BENCH_BASELINE=0 skips the build without the audit.
#
# Needs python3 (to generate the repository and to read peak memory) and, optionally,
# hyperfine (Debian: `apt-get install hyperfine`) for repeated timing.
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-30000}
megabytes=${2:-300}
work=${BENCH_DIR:-target/bench}
repo="$work/repo-$files-$megabytes"
mkdir -p "$work"

# The release build of the commit before the license audit existed, kept as its own binary.
baseline=""
if [ "${BENCH_BASELINE:-1}" != 0 ]; then
  added=$(git log --diff-filter=A --format=%H -- xtask/src/archive/license/mod.rs asf-release/src/archive/license/mod.rs | tail -1)
  if [ -n "$added" ]; then
    baseline="$PWD/$work/xtask-without-audit"
    if [ ! -x "$baseline" ] || [ "$(cat "$baseline.rev" 2>/dev/null)" != "$added^" ]; then
      rm -rf "$work/baseline-src" && mkdir -p "$work/baseline-src"
      git archive "$added^" | tar -x -C "$work/baseline-src"
      # A target directory of its own: two builds of the same package in one directory
      # overwrite each other's binary.
      CARGO_TARGET_DIR="$PWD/$work/baseline-target" cargo build --quiet --release \
        --package xtask --manifest-path "$work/baseline-src/Cargo.toml"
      cp "$work/baseline-target/release/xtask" "$baseline" && echo "$added^" > "$baseline.rev"
    fi
  fi
fi
cargo build --quiet --release --package xtask
xtask="$PWD/target/release/xtask"

if [ -n "${BENCH_REPO:-}" ]; then
  name=$(basename "$BENCH_REPO" .tgz)
  name=${name%.git}
  repo="$work/real-$name"
  if [ ! -d "$repo/.git" ]; then
    source_repo="$BENCH_REPO"
    if [ -f "$BENCH_REPO" ]; then
      rm -rf "$work/bare-$name" && mkdir -p "$work/bare-$name"
      tar -xzf "$BENCH_REPO" -C "$work/bare-$name"
      source_repo="$work/bare-$name/$name.git"
    fi
    git clone -q "$source_repo" "$repo"
  fi
  git -C "$repo" checkout -q --detach "${BENCH_REF:?set BENCH_REF to the tag to package}"
  if ! grep -qs 'asf-release' "$repo/Cargo.toml"; then
    printf '\n[workspace.metadata.asf-release]\nname = "%s"\nsubmodules = "skip"\n' "$name" >> "$repo/Cargo.toml"
    git -C "$repo" add Cargo.toml
    git -C "$repo" -c user.name=bench -c user.email=bench@example.org commit -q -m "bench: release configuration"
  fi
  # The old header check refuses files the audit accepts (third-party, generated): exempt
  # them for it, so both builds package the same commit.
  if [ -n "$baseline" ] && ! grep -qs 'license-header-excludes' "$repo/Cargo.toml"; then
    refused=$({ "$baseline" --repo "$repo" package 1.0.0 --ref HEAD --no-sign --force --out "$work/out-without" 2>&1 || true; } |
      sed -n 's/^ *\[license-headers\] [^/]*\/\([^:]*\):.*/"\1"/p' | paste -sd, -)
    if [ -n "$refused" ]; then
      printf 'license-header-excludes = [%s]\n' "$refused" >> "$repo/Cargo.toml"
      git -C "$repo" -c user.name=bench -c user.email=bench@example.org commit -q -am "bench: exempt what the old header check refuses"
    fi
  fi
elif [ ! -d "$repo/.git" ]; then
  echo "generating $repo: $files files, about $megabytes MB"
  rm -rf "$repo" && mkdir -p "$repo"
  python3 - "$repo" "$files" "$megabytes" <<'PY'
import os, random, sys
repo, files, megabytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(42)
words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 10))) for _ in range(5000)]
header = "-- Licensed to the Apache Software Foundation (ASF) under one or more\n-- contributor license agreements.\n"
average = megabytes * 1024 * 1024 // files
for i in range(files):
    directory = os.path.join(repo, "src", f"m{i % 97}", f"p{i % 13}")
    os.makedirs(directory, exist_ok=True)
    size = rng.randint(average // 4, average * 7 // 4)
    if i % 10 == 0:  # some data that does not compress
        with open(os.path.join(directory, f"data{i}.bin.txt"), "wb") as f:
            f.write(rng.randbytes(size))
        continue
    lines, total = [header], len(header)
    while total < size:
        line = " ".join(rng.choice(words) for _ in range(12)) + "\n"
        lines.append(line); total += len(line)
    with open(os.path.join(directory, f"f{i}.lua"), "w") as f:
        f.write("".join(lines))
with open(os.path.join(repo, "LICENSE"), "w") as f:
    f.write(open("LICENSE").read())
with open(os.path.join(repo, "NOTICE"), "w") as f:
    f.write(open("NOTICE").read())
with open(os.path.join(repo, "Cargo.toml"), "w") as f:
    f.write('[workspace.metadata.asf-release]\nname = "bench"\nlicense-header-excludes = ["*.bin.txt"]\n')
PY
  git -C "$repo" init -q
  git -C "$repo" add -A
  git -C "$repo" -c user.name=bench -c user.email=bench@example.org commit -q -m "bench"
fi
commit=$(git -C "$repo" rev-parse HEAD)
echo "repository: $(git -C "$repo" ls-files | wc -l) files, $(du -sh --exclude=.git "$repo" | cut -f1) in the work tree"

out="$work/out/$(basename "$repo")"
ours=("$xtask" --repo "$repo" package 1.0.0 --ref "$commit" --no-sign --force --out "$out")
without=()
if [ -n "$baseline" ]; then
  without=("$baseline" --repo "$repo" package 1.0.0 --ref "$commit" --no-sign --force --out "$work/out-without")
fi
theirs=(git -C "$repo" archive --format=tar.gz --prefix=bench/ -o "$PWD/$work/git-archive.tgz" "$commit")

# Peak memory (MiB) of each process of a command tree, by name: VmHWM (all resident pages,
# including git's memory-mapped pack files) and the largest RssAnon seen (heap and stacks).
peak() {
  python3 -c 'import os, subprocess, sys, time
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
seen = {}
def field(text, name):
    for line in text.splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1]) // 1024
    return 0
def tree(pid):
    try:
        children = open(f"/proc/{pid}/task/{pid}/children").read().split()
    except OSError:
        return [pid]
    return [pid] + [p for c in children for p in tree(int(c))]
while proc.poll() is None:
    for pid in tree(proc.pid):
        try:
            status = open(f"/proc/{pid}/status").read()
        except OSError:
            continue
        name = status.split("\n")[0].split()[1]
        hwm, anon = seen.get(name, (0, 0))
        seen[name] = (max(hwm, field(status, "VmHWM")), max(anon, field(status, "RssAnon")))
    time.sleep(0.01)
print("; ".join(f"{n}: {h} MiB resident, {a} MiB anonymous" for n, (h, a) in sorted(seen.items())))' "$@"
}

# Wall time in seconds, best of N runs.
best_time() {
  local runs=$1; shift
  python3 -c 'import subprocess, sys, time
runs = int(sys.argv[1]); best = None
for _ in range(runs):
    start = time.perf_counter()
    subprocess.run(sys.argv[2:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    best = elapsed if best is None else min(best, elapsed)
print(f"{best:.3f}")' "$runs" "$@"
}

runs=${BENCH_RUNS:-3}
"${ours[@]}" >/dev/null 2>&1  # warm the page cache
"${theirs[@]}"
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 1 --runs "$runs" -n "xtask package" "${ours[*]}" -n "git archive" "${theirs[*]}"
fi
ours_time=$(best_time "$runs" "${ours[@]}")
theirs_time=$(best_time "$runs" "${theirs[@]}")
without_time=0
if [ ${#without[@]} -gt 0 ]; then
  without_time=$(best_time "$runs" "${without[@]}")
  echo "peak memory, xtask package without the audit: $(peak "${without[@]}")"
fi
echo "peak memory, xtask package: $(peak "${ours[@]}")"
echo "peak memory, git archive:   $(peak "${theirs[@]}")"
ours_size=$(stat -c %s "$out"/*.tgz)
theirs_size=$(stat -c %s "$work/git-archive.tgz")
python3 - "$ours_time" "$theirs_time" "$ours_size" "$theirs_size" "$without_time" <<'PY'
import sys
ot, tt, osz, tsz, wt = map(float, sys.argv[1:])
print(f"xtask package (with the license audit) : {ot:7.3f} s  {osz/1e6:8.1f} MB  {ot/tt:.2f}x git archive")
if wt:
    print(f"xtask package (without the audit)      : {wt:7.3f} s  {'':11}  {wt/tt:.2f}x git archive")
print(f"git archive                            : {tt:7.3f} s  {tsz/1e6:8.1f} MB")
print(f"ratio (xtask / git archive): time {ot/tt:.2f}x, size {osz/tsz:.3f}x")
PY
