"""The vendored htmx is the pinned release, byte for byte."""

from __future__ import annotations

import hashlib

from service.resources import resource_dir

HTMX_SHA256 = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"


def test_the_vendored_htmx_is_the_pinned_release() -> None:
    data = (resource_dir("static") / "vendor" / "htmx-2.0.11.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == HTMX_SHA256
    assert b'version:"2.0.11"' in data
