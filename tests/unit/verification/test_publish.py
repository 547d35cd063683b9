"""The record writer the close uses: deterministic bytes, batches, and refusals."""

from pathlib import Path

import pytest
from nacl.public import PrivateKey
from nacl.signing import SigningKey

from tests.support.election import TestElection, scope
from verification.publish import RecordWriteError, RecordWriter
from verification.record import RECORD_FILES
from verification.verifier import verify_record


def _election() -> TestElection:
    election = TestElection(
        [
            scope(1, "nacional", 100, {11: 60, 12: 50}),
            scope(2, "norte", 90, {21: 10}, vote_group="r"),
        ],
        seed="publish",
        checkpoint_every=3,
    )
    for number in range(10):
        election.cast(f"voter-{number % 4}", 1 + number % 2, {11 if number % 2 == 0 else 21: 1})
    election.sign_checkpoint()
    return election


def _write(election: TestElection, folder: Path, batch: int) -> None:
    writer = RecordWriter(
        folder, election.manifest_bytes, bytes(election.keys.sealing_key), election.keys.log_key
    )
    for start in range(0, len(election.entries), batch):
        writer.add_entries(election.entries[start : start + batch])
    writer.finish(election.checkpoints, "2018-06-01T00:00:00Z", "civica 0.1.0")


def test_the_same_inputs_write_the_same_bytes_in_any_batches(tmp_path: Path) -> None:
    election = _election()
    _write(election, tmp_path / "a", batch=100)
    _write(election, tmp_path / "b", batch=3)
    _write(election, tmp_path / "a", batch=1)  # a resumed close overwrites with the same bytes
    for name in RECORD_FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(RECORD_FILES)
    assert verify_record(str(tmp_path / "a")).ok


def test_keys_other_than_the_manifest_s_are_refused(tmp_path: Path) -> None:
    election = _election()
    with pytest.raises(RecordWriteError, match="sealing"):
        RecordWriter(
            tmp_path, election.manifest_bytes, bytes(PrivateKey.generate()), election.keys.log_key
        )
    with pytest.raises(RecordWriteError, match="log"):
        RecordWriter(
            tmp_path,
            election.manifest_bytes,
            bytes(election.keys.sealing_key),
            SigningKey.generate(),
        )


def test_checkpoints_must_cover_every_entry(tmp_path: Path) -> None:
    election = _election()
    with RecordWriter(
        tmp_path, election.manifest_bytes, bytes(election.keys.sealing_key), election.keys.log_key
    ) as writer:
        writer.add_entries(election.entries)
        with pytest.raises(RecordWriteError, match="final checkpoint"):
            writer.finish(election.checkpoints[:-1], "2018-06-01T00:00:00Z", "civica 0.1.0")
    assert not (tmp_path / "closing.json").exists()


def test_entries_of_another_cycle_are_refused(tmp_path: Path) -> None:
    election = _election()
    other = TestElection([scope(1, "nacional", 100, {11: 60})], seed="another")
    other.cast("ana", 1, {11: 1})
    with (
        RecordWriter(
            tmp_path,
            election.manifest_bytes,
            bytes(election.keys.sealing_key),
            election.keys.log_key,
        ) as writer,
        pytest.raises(RecordWriteError, match="another cycle"),
    ):
        writer.add_entries(other.entries)
