"""A tiny real SMTP server (RFC 5321 subset: EHLO, MAIL, RCPT, DATA, QUIT) on 127.0.0.1."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        server: SmtpServer = self.server  # type: ignore[assignment]
        self.wfile.write(b"220 test SMTP\r\n")
        envelope: dict[str, object] = {"to": []}
        while line := self.rfile.readline():
            command = line.decode().strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.wfile.write(b"250 test\r\n")
            elif verb == "MAIL":
                envelope["from"] = command[10:].strip("<> ")
                self.wfile.write(b"250 OK\r\n")
            elif verb == "RCPT":
                envelope["to"].append(command[8:].strip("<> "))  # type: ignore[attr-defined]
                self.wfile.write(b"250 OK\r\n")
            elif verb == "DATA":
                self.wfile.write(b"354 go on\r\n")
                body = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    body.append(data)
                envelope["data"] = b"".join(body).decode()
                server.messages.append(dict(envelope))
                self.wfile.write(b"250 queued\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 OK\r\n")


class SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.messages: list[dict[str, object]] = []

    @property
    def port(self) -> int:
        port: int = self.server_address[1]
        return port


@contextmanager
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
