"""Code gateways: the outbox file (0600, one JSON line per message) and SMTP delivery."""

from __future__ import annotations

import json
import logging
import stat
from pathlib import Path

import pytest

from tests.support.smtp import smtp_server
from verification.identity.census import Contact
from verification.identity.gateways import (
    CodeMessage,
    GatewayCannotDeliver,
    OutboxGateway,
    SmtpGateway,
    SmtpSettings,
)


def test_the_outbox_writes_a_private_file_and_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "outbox" / "codes.jsonl"
    gateway = OutboxGateway(path)
    with caplog.at_level(logging.INFO):
        gateway.deliver(CodeMessage(Contact("+351910000001", None), "123456", 10))
        gateway.deliver(CodeMessage(Contact(None, "a@b.pt"), "654321", 10))
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["phone"] for line in lines] == ["+351910000001", None]
    assert "123456" in lines[0]["text"]
    assert "expires in 10 minutes" in lines[0]["text"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "654321" in caplog.text
    assert "123456" not in repr(CodeMessage(Contact("+3519", None), "123456", 10))


def test_smtp_sends_the_code_by_e_mail() -> None:
    with smtp_server() as server:
        gateway = SmtpGateway(
            SmtpSettings("127.0.0.1", server.port, "civica@example.org", starttls=False)
        )
        gateway.deliver(CodeMessage(Contact(None, "rui@example.org"), "246810", 10))
        with pytest.raises(GatewayCannotDeliver):
            gateway.deliver(CodeMessage(Contact("+351910000001", None), "1", 10))
    [message] = server.messages
    assert message["to"] == ["rui@example.org"]
    assert message["from"] == "civica@example.org"
    assert "246810" in str(message["data"])
    assert "Subject: Your civica sign-in code" in str(message["data"])
