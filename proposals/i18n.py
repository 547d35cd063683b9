"""The marker for user-facing text written in Python.

`_("At most {limit} characters.", limit=150)` marks the message for extraction (babel and
xgettext both recognise `_`) and fills in its values. Translation is not wired in yet: the
pt-PT issue makes `_` look the message up in the request's locale before formatting.
"""

from __future__ import annotations


def _(message: str, **values: object) -> str:
    """Mark `message` as user-facing text and fill in its `{named}` values."""
    return message.format(**values) if values else message
