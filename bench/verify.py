"""Speed of the observer's verifier on a record of an OPP-2018-sized vote.

Run from the repository root: PYTHONPATH=. python bench/verify.py [--ballots N] [--cache DIR]

The record (default 119,703 single-choice ballots over 8 scopes and 700 projects, as OPP 2018:
one national pot, seven regional ones, 48,578 national and 71,125 regional ballots, about 2%
of voters casting again) is generated once with the test-election builder, which seals,
signs and writes it through the same code as the service's close, and cached outside git
(default ~/.cache/civica/bench-verify-<N>). Then, in the same run and on a warm page cache:

1. the floor: read every record file and SHA-256 its bytes;
2. `verify_record` on the folder, with its time split into decryption (libsodium sealed-box
   opens), checkpoint signature checks and everything else.

Prints the figures and the ratio of (total - decryption) to the floor. Stops by itself.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import time
from pathlib import Path

from tests.support.election import TestElection, rule, scope
from verification.findings import Report
from verification.record import RECORD_FILES
from verification.verifier import verify_record

OPP_NATIONAL = 48_578
OPP_REGIONAL = 71_125
REGIONS = ("norte", "centro", "lisboa", "alentejo", "algarve", "acores", "madeira")


def build_record(folder: Path, ballots: int, seed: int = 2018) -> None:
    """Generate the benchmark record into `folder` (about a minute for OPP size)."""
    rng = random.Random(seed)
    scopes = []
    project_id = 1
    national_costs = {}
    for _ in range(100):
        national_costs[project_id] = rng.randrange(5_000_00, 300_000_00, 100)
        project_id += 1
    scopes.append(
        scope(
            1, "nacional", 1_000_000_00, national_costs, vote_group="national", tally=rule("greedy")
        )
    )
    for number, region in enumerate(REGIONS, start=2):
        costs = {}
        for _ in range(86):
            costs[project_id] = rng.randrange(5_000_00, 300_000_00, 100)
            project_id += 1
        scopes.append(scope(number, region, 500_000_00, costs, vote_group="regional"))
    election = TestElection(scopes, seed="bench-verify", checkpoint_every=100)
    national_share = OPP_NATIONAL / (OPP_NATIONAL + OPP_REGIONAL)
    # Popularity is skewed, as in real votes: weights 1/rank (Zipf).
    weights = {s.id: [1 / (rank + 1) for rank in range(len(s.projects))] for s in scopes}
    started = time.perf_counter()
    for cast in range(ballots):
        chosen = scopes[0] if rng.random() < national_share else rng.choice(scopes[1:])
        voter = f"voter-{cast if rng.random() > 0.02 else rng.randrange(max(cast, 1))}"
        (project,) = rng.choices(chosen.projects, weights=weights[chosen.id])
        election.cast(voter, chosen.id, {project.id: 1}, receipt=False)
        if cast and not cast % 20_000:
            print(f"  cast {cast} ballots in {time.perf_counter() - started:.1f} s", flush=True)
    election.close(folder)


def read_and_hash(folder: Path) -> tuple[float, int]:
    """The floor: read every record file and SHA-256 it; returns (seconds, bytes)."""
    started = time.perf_counter()
    total = 0
    for name in RECORD_FILES:
        digest = hashlib.sha256()
        with (folder / name).open("rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
                total += len(chunk)
    return time.perf_counter() - started, total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=OPP_NATIONAL + OPP_REGIONAL)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=3, help="verify runs; the best is reported")
    args = parser.parse_args()
    folder = args.cache or Path.home() / ".cache" / "civica" / f"bench-verify-{args.ballots}"
    if not (folder / "closing.json").exists():
        print(f"generating the record in {folder} ...", flush=True)
        started = time.perf_counter()
        build_record(folder, args.ballots)
        print(f"  generated in {time.perf_counter() - started:.1f} s")
    floors, reports = [], []
    for _ in range(args.runs):
        floors.append(read_and_hash(folder))
        reports.append(verify_record(str(folder)))
    floor, size = min(floors)
    best: Report = min(reports, key=lambda report: report.timings["total"])
    if not best.ok:
        print("the benchmark record does not verify:", best.findings[:5], file=sys.stderr)
        return 1
    total = best.timings["total"]
    decrypt = best.timings["decrypt"]
    print(
        f"record: {folder} ({size / 1e6:.1f} MB, {best.counts['entries']} entries, "
        f"{best.counts['checkpoints']} checkpoints, {best.counts['scopes']} scopes)"
    )
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(f"read and SHA-256 every file (floor): {floor:.3f} s")
    print(f"verify, total:                       {total:.3f} s")
    print(f"  decryption (sealed-box opens):     {decrypt:.3f} s")
    print(f"  checkpoint signatures:             {best.timings['signatures']:.3f} s")
    print(
        f"  everything but decryption:         {total - decrypt:.3f} s "
        f"= {(total - decrypt) / floor:.1f} x the floor"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
