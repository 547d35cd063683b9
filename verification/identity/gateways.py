"""Gateways that deliver one-time codes: an outbox file (development) and SMTP e-mail."""

from __future__ import annotations

import json
import logging
import os
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from verification.identity.census import Contact
from verification.messages import _

log = logging.getLogger(__name__)


class GatewayCannotDeliver(RuntimeError):
    """The gateway has no way to reach this contact (e.g. SMTP and a phone number only)."""


@dataclass(frozen=True, repr=False)
class CodeMessage:
    """A one-time code on its way to someone."""

    contact: Contact
    code: str
    lifetime_minutes: int
    # puts a message into the language of the person who asked for the code (English if None)
    translate: Callable[[str], str] | None = field(default=None, compare=False)

    def __repr__(self) -> str:
        return "CodeMessage(<personal data>)"

    def _in_language(self, message: str) -> str:
        return message if self.translate is None else self.translate(message)

    @property
    def text(self) -> str:
        return self._in_language(
            _(
                "Your civica sign-in code is {code}. It expires in {minutes} minutes. "
                "If you did not ask for it, ignore this message.",
                code=self.code,
                minutes=self.lifetime_minutes,
            )
        )

    @property
    def subject(self) -> str:
        return self._in_language(_("Your civica sign-in code"))


class CodeGateway(Protocol):
    """Delivers code messages; `deliver` blocks, so callers run it in a thread."""

    def deliver(self, message: CodeMessage) -> None: ...


class OutboxGateway:
    """Appends each message as a JSON line to a file in the data folder, and logs it.

    For development and demos only: the file and the log hold codes and contact details.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def deliver(self, message: CodeMessage) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        record = {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "phone": message.contact.phone,
            "email": message.contact.email,
            "text": message.text,
        }
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
        to = message.contact.phone or message.contact.email
        log.info("outbox: to %s: %s (also in %s)", to, message.text, self.path)


@dataclass(frozen=True, repr=False)
class SmtpSettings:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    starttls: bool = True
    timeout_s: float = 15.0

    def __repr__(self) -> str:
        return f"SmtpSettings(host={self.host!r}, port={self.port}, <credentials hidden>)"


class SmtpGateway:
    """Sends codes by e-mail with smtplib; people on the roll with only a phone cannot be sent to
    (an SMS gateway is a separate, pluggable gateway)."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def deliver(self, message: CodeMessage) -> None:
        if not message.contact.email:
            raise GatewayCannotDeliver("this gateway sends e-mail and the entry has no address")
        email = EmailMessage()
        email["From"] = self.settings.sender
        email["To"] = message.contact.email
        email["Subject"] = message.subject
        email.set_content(message.text)
        s = self.settings
        with smtplib.SMTP(s.host, s.port, timeout=s.timeout_s) as smtp:
            if s.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.username and s.password:
                smtp.login(s.username, s.password)
            smtp.send_message(email)
