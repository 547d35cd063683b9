"""What an identity provider vouches for, and the keyed hashes that stand in for identities."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class KeyedSubject:
    """A subject already reduced to its person key (the census roll stores only that)."""

    person_key: str


@dataclass(frozen=True)
class VerifiedIdentity:
    """Attributes an identity provider has verified for one person.

    `subject_key` is what links providers: the national ID number where a provider gives it
    (Cartão de Cidadão number, census ID), otherwise the provider's own stable subject
    identifier prefixed with the provider name. It never leaves memory in clear. A provider
    that only ever held the keyed hash (the census roll) passes a `KeyedSubject`.
    """

    provider: str
    subject_key: str | KeyedSubject
    birth_date: date | None
    residence: str | None
    status: str | None
    census_member: bool = False


@dataclass(frozen=True)
class CitizenSession:
    """What a signed-in citizen's session holds: a keyed hash and the attributes rules need."""

    person_key: str
    provider: str
    birth_date: date | None
    residence: str | None
    status: str | None
    census_member: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "person_key": self.person_key,
            "provider": self.provider,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "residence": self.residence,
            "status": self.status,
            "census_member": self.census_member,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CitizenSession:
        born = data.get("birth_date")
        return cls(
            person_key=str(data["person_key"]),
            provider=str(data["provider"]),
            birth_date=date.fromisoformat(born) if born else None,
            residence=data.get("residence"),
            status=data.get("status"),
            census_member=bool(data.get("census_member", False)),
        )


def normalise_subject(subject_key: str) -> str:
    """The canonical form of a subject key: no spaces, upper case."""
    return subject_key.strip().upper().replace(" ", "")


def person_key(pepper: bytes, subject_key: str) -> str:
    """HMAC-SHA-256 of the normalised subject key: the same person through any provider."""
    normalised = normalise_subject(subject_key)
    mac = hmac.new(pepper, b"civica/person/v1\x00" + normalised.encode(), hashlib.sha256)
    return mac.hexdigest()


def voter_alias(pepper: bytes, cycle_id: int, person: str) -> str:
    """The per-cycle pseudonym a ballot carries: unlinkable across cycles without the pepper."""
    message = b"civica/alias/v1\x00" + str(cycle_id).encode() + b"\x00" + person.encode()
    return hmac.new(pepper, message, hashlib.sha256).hexdigest()


def citizen_session_for(pepper: bytes, identity: VerifiedIdentity) -> CitizenSession:
    """The session form of a verified identity (the raw subject key is dropped here)."""
    subject = identity.subject_key
    keyed = subject if isinstance(subject, KeyedSubject) else None
    return CitizenSession(
        person_key=keyed.person_key if keyed else person_key(pepper, str(subject)),
        provider=identity.provider,
        birth_date=identity.birth_date,
        residence=identity.residence,
        status=identity.status,
        census_member=identity.census_member,
    )


def provider_subject_key(provider: str, issuer: str, subject: str) -> str:
    """The subject key for a provider that gives no national ID number.

    The issuer and subject are hashed so that normalisation (upper case, no spaces) cannot
    merge two subjects that differ only in case or spacing.
    """
    digest = hashlib.sha256(issuer.encode() + b"\x00" + subject.encode()).hexdigest()
    return f"{provider}:{digest}"
