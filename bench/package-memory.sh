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

# Benchmark: peak memory of `xtask package --no-sign` on a repository whose archive holds
# 1,000,000 entries (by default: the reader's entry limit), with long names. What package
# keeps per entry is on disk or streamed, so the figure must stay flat (under 100 MiB).
#
#   bash bench/package-memory.sh [ENTRIES]           (default: 1000000)
#
# XTASK=<path> uses a binary already built (default: a release build). Needs python3. The
# repository is made without a work tree of a million files: one blob under every path,
# written tree by tree with `git mktree`.
set -euo pipefail
cd "$(dirname "$0")/.."
entries=${1:-1000000}
work=${BENCH_DIR:-target/bench}/package-$entries
if [ -z "${XTASK:-}" ]; then
  cargo build --quiet --release --package xtask
  XTASK="$PWD/target/release/xtask"
fi
mkdir -p "$work"
work=$(cd "$work" && pwd)
repo="$work/repo"
dirs=1000
# The top directory, LICENSE, NOTICE, docs/ and its directories are entries too.
files=$((entries - 4 - dirs))

if [ ! -f "$work/commit" ]; then
  echo "generating $repo: $files files with long names in $dirs directories"
  rm -rf "$repo" && git init -q "$repo"
  printf '[workspace.metadata.asf-release]\nname = "bench"\n' >"$repo/Cargo.toml"
  python3 - "$repo" "$files" "$dirs" >"$work/commit.new" <<'PY'
import os, subprocess, sys
repo, files, dirs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def git(*args, data=None):
    return subprocess.run(["git", "-C", repo, *args], input=data, check=True,
                          stdout=subprocess.PIPE).stdout.decode().strip()
def mktree(rows):  # (mode, type, object, name), sorted as git sorts a tree
    rows = sorted(rows, key=lambda r: r[3] + ("/" if r[1] == "tree" else ""))
    return git("mktree", "-z", data=b"".join(f"{m} {t} {o}\t{n}\0".encode() for m, t, o, n in rows))
blob = git("hash-object", "-w", "--stdin", data=b"x\n")
long = "a-rather-long-directory-name-" * 3
subtrees = []
for d in range(dirs):
    names = (f"file-with-a-long-name-number-{i:07}.txt" for i in range(d, files, dirs))
    subtrees.append(("040000", "tree", mktree([("100644", "blob", blob, n) for n in names]), f"{long}{d:04}"))
root = mktree([
    ("100644", "blob", git("hash-object", "-w", os.path.abspath("LICENSE")), "LICENSE"),
    ("100644", "blob", git("hash-object", "-w", os.path.abspath("NOTICE")), "NOTICE"),
    ("040000", "tree", mktree(subtrees), "docs"),
])
env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.org", "GIT_AUTHOR_DATE": "1700000000 +0000"}
env.update({k.replace("AUTHOR", "COMMITTER"): v for k, v in env.items() if "AUTHOR" in k})
print(subprocess.run(["git", "-C", repo, "commit-tree", root, "-m", "bench"], env=env,
                     check=True, stdout=subprocess.PIPE).stdout.decode().strip())
PY
  mv "$work/commit.new" "$work/commit"
fi
commit=$(cat "$work/commit")

# Peak resident memory (VmHWM) of xtask and of each git it starts, and the run's wall time.
python3 - "$XTASK" --repo "$repo" package 1.0.0 --ref "$commit" --no-sign --force \
  --out "$work/out" <<'PY'
import subprocess, sys, tempfile, time
start = time.perf_counter()
log = tempfile.TemporaryFile()
proc = subprocess.Popen(sys.argv[1:], stdout=log, stderr=subprocess.STDOUT)
seen = {}
SUBCOMMANDS = ("ls-tree", "read-tree", "check-attr", "cat-file")
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
            args = open(f"/proc/{pid}/cmdline").read().split("\0")
        except OSError:
            continue
        name = status.split("\n")[0].split()[1]
        if pid == proc.pid:
            name = "xtask"
        elif name == "git":
            name = "git " + next((a for a in args if a in SUBCOMMANDS), "(other)")
        else:
            continue  # a child between fork and exec
        hwm = [int(l.split()[1]) // 1024 for l in status.splitlines() if l.startswith("VmHWM:")]
        seen[name] = max([seen.get(name, 0), *hwm])
    time.sleep(0.01)
log.seek(0)
out = log.read().decode(errors="replace")
status = "ok" if proc.returncode == 0 else f"FAILED ({proc.returncode}): {out[-2000:]}"
xtask = seen.pop("xtask", 0)
others = ", ".join(f"{n} {m} MiB" for n, m in sorted(seen.items()))
print(f"xtask package: peak {xtask} MiB resident, {time.perf_counter() - start:.1f} s, {status}")
print(f"  its git processes: {others}")
PY
