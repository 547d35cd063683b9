"""Speed of the observer's verifier on a record of an OPP-2018-sized vote.

Run from the repository root:
PYTHONPATH=. python bench/verify.py [--ballots N] [--checkpoint-every K] [--cache DIR]

The record (default 119,703 single-choice ballots over 8 scopes and 700 projects, as OPP 2018:
one national pot, seven regional ones, 48,578 national and 71,125 regional ballots, about 2%
of voters casting again) is generated once with the test-election builder, which seals,
signs and writes it through the same code as the service's close, and cached outside git
(default ~/.cache/civica/bench-verify-<N>-<K>; a checkpoint every K entries, default 100). Then,
in the same run, on a warm page cache, best of --runs (default 3), wall-clock and CPU time:

1. the floor: read every record file and SHA-256 its bytes;
2. decryption alone: open every sealed ballot with libsodium (PyNaCl), nothing else;
3. `verify_record`: every check;
4. `verify_receipts` with no receipt: the board alone (lines, leaf hashes, tree, checkpoint
   signatures and consistency), without opening ballots.

Prints the figures and the ratio of (verify - decryption) to the floor. Stops by itself.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

from nacl.public import PrivateKey, SealedBox

from tests.support.election import TestElection, rule, scope
from verification.findings import Report
from verification.record import RECORD_FILES
from verification.verifier import verify_receipts, verify_record

OPP_NATIONAL = 48_578
OPP_REGIONAL = 71_125
REGIONS = ("norte", "centro", "lisboa", "alentejo", "algarve", "acores", "madeira")


def build_record(folder: Path, ballots: int, checkpoint_every: int, seed: int = 2018) -> None:
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
    election = TestElection(scopes, seed="bench-verify", checkpoint_every=checkpoint_every)
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


def read_and_hash(folder: Path) -> tuple[float, float, int]:
    """The floor: read every record file and SHA-256 it; (wall s, CPU s, bytes)."""
    wall, cpu = time.perf_counter(), time.process_time()
    total = 0
    for name in RECORD_FILES:
        digest = hashlib.sha256()
        with (folder / name).open("rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
                total += len(chunk)
    return time.perf_counter() - wall, time.process_time() - cpu, total


def open_every_ballot(folder: Path) -> tuple[float, float]:
    """Decryption alone: open every sealed ballot of the record; (wall s, CPU s)."""
    secret = base64.b64decode(json.loads((folder / "sealing-key.json").read_bytes())["secret_key"])
    box = SealedBox(PrivateKey(secret))
    with (folder / "entries.jsonl").open("rb") as lines:
        sealed = [base64.b64decode(json.loads(line)["entry"])[88:] for line in lines]
    wall, cpu = time.perf_counter(), time.process_time()
    for ballot in sealed:
        box.decrypt(ballot)
    return time.perf_counter() - wall, time.process_time() - cpu


def timed(task: Callable[[], Report]) -> tuple[float, float, Report]:
    wall, cpu = time.perf_counter(), time.process_time()
    report = task()
    return time.perf_counter() - wall, time.process_time() - cpu, report


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--ballots", type=int, default=OPP_NATIONAL + OPP_REGIONAL)
    parser.add_argument("--checkpoint-every", type=int, default=100)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=3, help="runs of each; the best is reported")
    args = parser.parse_args()
    name = f"bench-verify-{args.ballots}-{args.checkpoint_every}"
    folder = args.cache or Path.home() / ".cache" / "civica" / name
    if not (folder / "closing.json").exists():
        print(f"generating the record in {folder} ...", flush=True)
        started = time.perf_counter()
        build_record(folder, args.ballots, args.checkpoint_every)
        print(f"  generated in {time.perf_counter() - started:.1f} s")
    load = os.getloadavg()[0]
    floors, opens, verifies, boards = [], [], [], []
    for _ in range(args.runs):
        floors.append(read_and_hash(folder))
        opens.append(open_every_ballot(folder))
        verifies.append(timed(lambda: verify_record(str(folder))))
        boards.append(timed(lambda: verify_receipts(str(folder), [])))
    floor_wall, floor_cpu, size = min(floors)
    open_wall, open_cpu = min(opens)
    verify_wall, verify_cpu, report = min(verifies, key=lambda run: run[0])
    board_wall, board_cpu, _ = min(boards, key=lambda run: run[0])
    if not report.ok:
        print("the benchmark record does not verify:", report.findings[:5], file=sys.stderr)
        return 1
    rest_wall, rest_cpu = verify_wall - open_wall, verify_cpu - open_cpu
    print(
        f"record: {folder} ({size / 1e6:.1f} MB; {report.counts['entries']:,} entries, "
        f"{report.counts['checkpoints']:,} checkpoints, {report.counts['scopes']} scopes)"
    )
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, load {load:.1f}")
    print(f"best of {args.runs} runs                          wall s   CPU s")
    print(f"floor: read and SHA-256 every file     {floor_wall:7.3f} {floor_cpu:7.3f}")
    print(f"decryption alone: open every ballot    {open_wall:7.3f} {open_cpu:7.3f}")
    print(f"verify: every check                    {verify_wall:7.3f} {verify_cpu:7.3f}")
    print(
        f"verify minus decryption                {rest_wall:7.3f} {rest_cpu:7.3f}"
        f"   = {rest_wall / floor_wall:.1f}x the floor (wall), {rest_cpu / floor_cpu:.1f}x (CPU)"
    )
    inside = report.timings["decrypt"]
    print(
        f"  (inside verify, sealed-box opens took {inside:.3f} s wall; verify minus that: "
        f"{verify_wall - inside:.3f} s = {(verify_wall - inside) / floor_wall:.1f}x the floor)"
    )
    print(
        f"board only (tree, checkpoints, lines)  {board_wall:7.3f} {board_cpu:7.3f}"
        f"   = {board_wall / floor_wall:.1f}x the floor (wall), {board_cpu / floor_cpu:.1f}x (CPU)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
