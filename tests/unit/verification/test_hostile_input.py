"""Hostile input never crashes the verifier: any changed byte is a finding or unusable input."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verification.record import RECORD_FILES, RecordInputError, bytes_source
from verification.verifier import verify_record

CLEAN = Path(__file__).resolve().parents[2] / "vectors" / "clean"
FILES = {name: (CLEAN / name).read_bytes() for name in RECORD_FILES}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(RECORD_FILES),
    position=st.integers(min_value=0),
    replacement=st.integers(min_value=0, max_value=255),
)
def test_a_changed_byte_is_reported_or_refused(name: str, position: int, replacement: int) -> None:
    data = bytearray(FILES[name])
    position %= len(data)
    if data[position] == replacement:
        replacement ^= 0x01
    data[position] = replacement
    files = {**FILES, name: bytes(data)}
    try:
        report = verify_record(bytes_source(files))
    except RecordInputError:
        return
    assert not report.ok, f"changing byte {position} of {name} went unnoticed"


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(RECORD_FILES), cut=st.integers(min_value=0))
def test_a_truncated_file_is_reported_or_refused(name: str, cut: int) -> None:
    data = FILES[name][: cut % len(FILES[name])]
    try:
        report = verify_record(bytes_source({**FILES, name: data}))
    except RecordInputError:
        return
    assert not report.ok
