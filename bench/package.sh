#!/usr/bin/env bash
# Benchmark: `xtask package --no-sign` against `git archive --format=tar.gz` of the same commit,
# whole-process wall time and peak memory, in one run, on a large synthetic repository.
#
#   bash bench/package.sh [FILES] [MEGABYTES]      (defaults: 30000 files, 300 MB)
#
# Needs python3 (to generate the repository and to read peak memory) and, optionally,
# hyperfine (Debian: `apt-get install hyperfine`) for repeated timing.
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-30000}
megabytes=${2:-300}
work=${BENCH_DIR:-target/bench}
repo="$work/repo-$files-$megabytes"

cargo build --quiet --release --package xtask
xtask="$PWD/target/release/xtask"

if [ ! -d "$repo/.git" ]; then
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

ours=("$xtask" --repo "$repo" package 1.0.0 --ref "$commit" --no-sign --force --out "$work/out")
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
echo "peak memory, xtask package: $(peak "${ours[@]}")"
echo "peak memory, git archive:   $(peak "${theirs[@]}")"
ours_size=$(stat -c %s "$work/out/apache-bench-1.0.0-src.tgz")
theirs_size=$(stat -c %s "$work/git-archive.tgz")
python3 - "$ours_time" "$theirs_time" "$ours_size" "$theirs_size" <<'PY'
import sys
ot, tt, osz, tsz = map(float, sys.argv[1:])
print(f"xtask package : {ot:7.3f} s  {osz/1e6:8.1f} MB")
print(f"git archive   : {tt:7.3f} s  {tsz/1e6:8.1f} MB")
print(f"ratio (xtask / git archive): time {ot/tt:.2f}x, size {osz/tsz:.3f}x")
PY
