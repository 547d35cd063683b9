"""Hostile input never crashes the verifier: any changed byte is a finding or unusable input."""

import json
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
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


_JSON_LIKE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(["entries.jsonl", "ballots.jsonl", "checkpoints.jsonl"]),
    number=st.integers(min_value=0),
    line=st.one_of(
        st.binary(max_size=60).filter(lambda b: b"\n" not in b),
        _JSON_LIKE.map(lambda v: json.dumps(v).encode()),
        st.fixed_dictionaries(
            {"entry": st.text(max_size=12), "index": st.integers(), "note": st.text(max_size=12)}
        ).map(lambda v: json.dumps(v).encode()),
    ),
)
def test_a_replaced_line_is_reported_or_refused(name: str, number: int, line: bytes) -> None:
    lines = FILES[name].splitlines()
    assume(lines[number % len(lines)] != line)
    lines[number % len(lines)] = line
    files = {**FILES, name: b"".join(item + b"\n" for item in lines)}
    try:
        report = verify_record(bytes_source(files))
    except RecordInputError:
        return
    assert not report.ok
