"""Per-deployment secrets, generated at first start into `<data_dir>/keys` with mode 0600."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

KEY_BYTES = 32
KEY_NAMES = ("session_key", "identifier_pepper", "log_signing_seed")


class KeyFileError(RuntimeError):
    """A key file is unreadable, malformed or readable by others."""


@dataclass(frozen=True, repr=False)
class DeploymentKeys:
    """The deployment's secrets. `repr` is hidden so they never reach a log."""

    session_key: bytes
    identifier_pepper: bytes
    log_signing_seed: bytes

    def __repr__(self) -> str:
        return "DeploymentKeys(<secret>)"

    def cycle_log_seed(self, cycle_id: int) -> bytes:
        """Return the Ed25519 seed of one cycle's log key, derived from the deployment seed."""
        message = b"civica/log-key/v1\x00" + str(cycle_id).encode()
        return hmac.new(self.log_signing_seed, message, hashlib.sha256).digest()


def keys_dir(data_dir: Path) -> Path:
    return data_dir / "keys"


def load_or_create_keys(data_dir: Path) -> DeploymentKeys:
    """Load the deployment keys, creating any that do not exist yet."""
    folder = keys_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    values = {name: read_or_create_secret(folder / name) for name in KEY_NAMES}
    return DeploymentKeys(**values)


def read_or_create_secret(path: Path, size: int = KEY_BYTES) -> bytes:
    """Return the secret in `path`, writing a fresh random one (mode 0600) if it is absent."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_secret(path, size)
    with os.fdopen(fd, "wb") as handle:
        handle.write(secrets.token_bytes(size))
        handle.flush()
        os.fsync(handle.fileno())
    return read_secret(path, size)


def read_secret(path: Path, size: int = KEY_BYTES) -> bytes:
    """Read a secret file, refusing one that others can read or that has the wrong length."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise KeyFileError(f"{path} is readable by others (mode {mode:o}); run: chmod 600 {path}")
    data = path.read_bytes()
    if len(data) != size:
        raise KeyFileError(f"{path} holds {len(data)} bytes, expected {size}")
    return data
