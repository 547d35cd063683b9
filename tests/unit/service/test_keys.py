"""Deployment keys: generated once, 0600, refused when readable by others."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from service.keys import KEY_NAMES, KeyFileError, keys_dir, load_or_create_keys


def test_keys_are_created_once_with_private_permissions(tmp_path: Path) -> None:
    first = load_or_create_keys(tmp_path)
    second = load_or_create_keys(tmp_path)
    assert first.session_key == second.session_key
    assert len({first.session_key, first.identifier_pepper, first.log_signing_seed}) == 3
    for name in KEY_NAMES:
        assert stat.S_IMODE((keys_dir(tmp_path) / name).stat().st_mode) == 0o600
    assert stat.S_IMODE(keys_dir(tmp_path).stat().st_mode) == 0o700
    assert "secret" in repr(first)
    assert first.session_key.hex() not in repr(first)


def test_a_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    load_or_create_keys(tmp_path)
    (keys_dir(tmp_path) / "session_key").chmod(0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        load_or_create_keys(tmp_path)


def test_a_truncated_key_is_refused(tmp_path: Path) -> None:
    load_or_create_keys(tmp_path)
    (keys_dir(tmp_path) / "identifier_pepper").write_bytes(b"short")
    with pytest.raises(KeyFileError, match="expected 32"):
        load_or_create_keys(tmp_path)


def test_cycle_log_keys_differ_per_cycle(tmp_path: Path) -> None:
    keys = load_or_create_keys(tmp_path)
    assert keys.cycle_log_seed(1) != keys.cycle_log_seed(2)
    assert keys.cycle_log_seed(1) == load_or_create_keys(tmp_path).cycle_log_seed(1)
