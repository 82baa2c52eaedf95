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

"""The speed guard: the xtask against what a user would run instead, on real repositories,
each pair alternated in one run. Run through bench/compare.sh, which documents it."""

import datetime
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

XTASK = os.environ["XTASK"]
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
WORK = os.path.abspath(os.path.join(os.environ.get("BENCH_DIR", "target/bench"), "compare"))
GOALS = {"package": 0.6, "verify": 1.2}
MEMORY_GOAL_MIB = 100


def run(*args, **kwargs):
    return subprocess.run(args, check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, **kwargs).stdout


def load():
    """The load averages over 1, 5 and 15 minutes."""
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def timed(command, env=None):
    """Wall seconds of one run, and CPU seconds (user and system, of the command and every
    process it started)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(command)}\n{proc.stderr.decode()[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def peak_mib(command, env=None):
    """Peak resident memory (VmHWM, MiB) of the command's own process, polled."""
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    peak = 0
    while proc.poll() is None:
        try:
            with open(f"/proc/{proc.pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]) // 1024)
        except OSError:
            pass
        time.sleep(0.005)
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(command)}")
    return peak


def compare(tool, peer, env=None):
    """Runs both RUNS times, alternating which goes first: the median and spread of the ratios
    tool/peer of each pair, the median times, and the median ratio of CPU times."""
    timed(tool, env), timed(peer, env)  # warm the page cache
    pairs = []
    for i in range(RUNS):
        if i % 2 == 0:
            pairs.append((timed(tool, env), timed(peer, env)))
        else:
            peer_time = timed(peer, env)
            pairs.append((timed(tool, env), peer_time))
    ratios = sorted(t[0] / p[0] for t, p in pairs)
    return {
        "ratio": statistics.median(ratios),
        "low": ratios[0],
        "high": ratios[-1],
        "tool": statistics.median(t[0] for t, _ in pairs),
        "peer": statistics.median(p[0] for _, p in pairs),
        "cpu": statistics.median(t[1] / p[1] for t, p in pairs),
    }


def shown(result):
    return (f"{result['ratio']:.2f}x (spread {result['low']:.2f}-{result['high']:.2f}; "
            f"median {result['tool']:.3f} s against {result['peer']:.3f} s; CPU time "
            f"{result['cpu']:.2f}x)")


def newest_release_tag(repo):
    tags = run("git", "-C", repo, "for-each-ref", "--sort=-creatordate",
               "--format=%(refname:short)", "refs/tags").split()
    releases = [t for t in tags if not re.search(r"rc", t, re.IGNORECASE)]
    return (releases or tags)[0]


def prepare(archive, env):
    """A clone of the repository at its newest release tag, with release settings in an
    untracked `.asf-release.toml` (so both tools package exactly the tag's tree)."""
    name = os.path.basename(archive).removesuffix(".tgz").removesuffix(".git")
    repo = os.path.join(WORK, name)
    if not os.path.isdir(os.path.join(repo, ".git")):
        bare = os.path.join(WORK, "bare")
        os.makedirs(bare, exist_ok=True)
        run("tar", "-xzf", archive, "-C", bare)
        run("git", "clone", "-q", os.path.join(bare, f"{name}.git"), repo)
    tag = os.environ.get(f"BENCH_REF_{name.replace('-', '_').upper()}") or newest_release_tag(repo)
    run("git", "-C", repo, "checkout", "-q", "--detach", tag)
    settings = os.path.join(repo, ".asf-release.toml")
    if not os.path.exists(settings):
        # Files the audit refuses (third-party code without a declaration, a missing header)
        # are exempted, so that the repository can be packaged as it is.
        base = f'name = "{name}"\nsubmodules = "skip"\n'
        with open(settings, "w") as f:
            f.write(base)
        out = subprocess.run(package_command(repo, tag, version_of(tag)), stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, env=env).stdout
        exempt = {"license-headers": [], "binaries": []}
        for rule, path in re.findall(r"^\s+\[([a-z-]+)\] [^/\s]+/([^:]+):", out, re.MULTILINE):
            if rule not in exempt:
                sys.exit(f"{name}: the package step refuses it for `{rule}`:\n{out[-3000:]}")
            exempt[rule].append(path)
        with open(settings, "w") as f:
            f.write(base)
            if exempt["license-headers"]:
                f.write(f"license-header-excludes = {toml_list(exempt['license-headers'])}\n")
            if exempt["binaries"]:
                f.write(f"binary-allow = {toml_list(exempt['binaries'])}\n")
    return name, repo, tag


def toml_list(items):
    return "[" + ", ".join(f'"{i}"' for i in items) + "]"


def version_of(tag):
    """The version a release tag names (`v0.10.1` -> `0.10.1`): the tarball's build files say
    it, and `verify` checks that they do."""
    return re.search(r"\d+(?:\.\d+)*", tag).group(0)


def package_command(repo, ref, version, out=None):
    out = out or os.path.join(repo, "..", "out", os.path.basename(repo))
    return [XTASK, "--repo", repo, "package", version, "--ref", ref, "--no-sign", "--force",
            "--out", os.path.abspath(out)]


def signed_candidate(name, repo, keyring):
    """The packaged tarball with its checksum and a signature by a throwaway key, and KEYS."""
    out = os.path.abspath(os.path.join(repo, "..", "out", name))
    tarball = next(f for f in os.listdir(out) if f.endswith(".tgz"))
    candidate = os.path.join(WORK, "candidates", name)
    shutil.rmtree(candidate, ignore_errors=True)
    os.makedirs(candidate)
    for suffix in ("", ".sha512"):
        shutil.copy(os.path.join(out, tarball + suffix), candidate)
    run("gpg", "--homedir", keyring, "--batch", "--yes", "--armor", "--detach-sign", "--output",
        os.path.join(candidate, tarball + ".asc"), os.path.join(candidate, tarball))
    return candidate, tarball


def voter_script(candidate, tarball, keys):
    """What a voter runs by hand: the checksum, the signature against KEYS in a throwaway
    keyring, and a listing of the archive."""
    script = f"""set -e
cd {candidate}
sha512sum -c --quiet {tarball}.sha512
home=$(mktemp -d)
gpg --homedir "$home" --batch --quiet --import {keys} 2>/dev/null
gpg --homedir "$home" --batch --quiet --verify {tarball}.asc {tarball} 2>/dev/null
tar -tzf {tarball} >/dev/null
rm -rf "$home"
"""
    return ["sh", "-c", script]


def throwaway_key():
    keyring = os.path.join(WORK, "gnupg")
    keys = os.path.join(WORK, "KEYS")
    if not os.path.exists(keys):
        shutil.rmtree(keyring, ignore_errors=True)
        os.makedirs(keyring, mode=0o700)
        run("gpg", "--homedir", keyring, "--batch", "--passphrase", "", "--quick-generate-key",
            "Bench RM <bench@example.org>", "ed25519", "sign", "never")
        with open(keys, "w") as f:
            f.write(run("gpg", "--homedir", keyring, "--batch", "--armor", "--export"))
    return keyring, keys


def without_root_manifest(repo, tag):
    """A commit of the tag whose tarball leaves the root Cargo.toml out: the same package
    without the load check, to measure what the check costs."""
    ref = "bench-without-root-manifest"
    if subprocess.run(["git", "-C", repo, "rev-parse", "-q", "--verify", ref],
                      stdout=subprocess.DEVNULL).returncode == 0:
        return ref
    work = tempfile.mkdtemp(dir=WORK)
    run("git", "-C", repo, "worktree", "add", "-q", "--detach", work, tag)
    with open(os.path.join(work, ".gitattributes"), "a") as f:
        f.write("\n/Cargo.toml export-ignore\n")
    run("git", "-C", work, "add", ".gitattributes")
    run("git", "-C", work, "-c", "user.name=bench", "-c", "user.email=bench@example.org",
        "commit", "-q", "-m", "bench: leave the root manifest out")
    run("git", "-C", repo, "branch", ref, run("git", "-C", work, "rev-parse", "HEAD").strip())
    run("git", "-C", repo, "worktree", "remove", "--force", work)
    return ref


def main():
    archives = [os.path.abspath(a) for a in sys.argv[1:]]
    os.makedirs(WORK, exist_ok=True)
    # Run directly, the xtask sees what `cargo xtask` would give it: the toolchain that built
    # it (rustup's RUSTUP_TOOLCHAIN) and that toolchain's cargo (CARGO), which the load check
    # runs.
    env = dict(os.environ)
    env.setdefault("RUSTUP_TOOLCHAIN", run("rustup", "show", "active-toolchain").split()[0])
    env.setdefault("CARGO", run("rustup", "which", "cargo").strip())
    keyring, keys = throwaway_key()
    started = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    print(f"{started}, {os.cpu_count()} cores, {RUNS} runs of each, load {load()}")
    rows = []
    for archive in archives:
        name, repo, tag = prepare(archive, env)
        files = len(run("git", "-C", repo, "ls-tree", "-r", "--name-only", tag).splitlines())
        print(f"\n{name} {tag} ({files} files), load {load()}")
        tool = package_command(repo, tag, version_of(tag))
        peer = ["git", "-C", repo, "archive", "--format=tar.gz", f"--prefix=apache-{name}/",
                "-o", os.path.join(WORK, "git-archive.tgz"), tag]
        package = compare(tool, peer, env)
        print(f"  package --no-sign / git archive --format=tar.gz: {shown(package)}")
        candidate, tarball = signed_candidate(name, repo, keyring)
        tool = [XTASK, "--repo", repo, "verify", version_of(tag), "--rc", "1", "--from", candidate,
                "--keys", keys]
        verify = compare(tool, voter_script(candidate, tarball, keys), env)
        print(f"  verify / the voter's script:                  {shown(verify)}")
        memory = (peak_mib(package_command(repo, tag, version_of(tag)), env), peak_mib(tool, env))
        print(f"  peak memory of xtask: package {memory[0]} MiB, verify {memory[1]} MiB")
        load_check = None
        if subprocess.run(["git", "-C", repo, "cat-file", "-e", f"{tag}:Cargo.toml"],
                          stderr=subprocess.DEVNULL).returncode == 0:
            plain = without_root_manifest(repo, tag)
            load_check = compare(package_command(repo, tag, version_of(tag)),
                                 package_command(repo, plain, version_of(tag), os.path.join(WORK, "out-plain")), env)
            print(f"  package with the load check / without it:     {shown(load_check)}")
        print(f"  load {load()}")
        rows.append((name, tag, files, package, verify, memory, load_check))

    print(f"\n| repository | files | `package` / `git archive` | `verify` / voter's script "
          f"| peak memory package / verify | load check |")
    print("| --- | --- | --- | --- | --- | --- |")
    missed = []
    for name, tag, files, package, verify, memory, load_check in rows:
        cost = "no root Cargo.toml" if load_check is None else f"+{(load_check['ratio'] - 1) * 100:.0f} %"
        print(f"| {name} {tag} | {files} | {package['ratio']:.2f}x ({package['low']:.2f}-"
              f"{package['high']:.2f}) | {verify['ratio']:.2f}x ({verify['low']:.2f}-"
              f"{verify['high']:.2f}) | {memory[0]} / {memory[1]} MiB | {cost} |")
        for what, result in (("package", package), ("verify", verify)):
            if result["ratio"] > GOALS[what]:
                missed.append(f"{name}: {what} {result['ratio']:.2f}x > {GOALS[what]}x")
        if max(memory) >= MEMORY_GOAL_MIB:
            missed.append(f"{name}: peak memory {max(memory)} MiB")
    print(f"\nload at the end {load()}")
    print("goals missed: " + ("; ".join(missed) if missed else "none"))


if __name__ == "__main__":
    try:
        main()
    finally:
        # Signing the candidates started a gpg-agent for the throwaway keyring: stop it.
        subprocess.run(["gpgconf", "--homedir", os.path.join(WORK, "gnupg"), "--kill", "all"],
                       stderr=subprocess.DEVNULL)
