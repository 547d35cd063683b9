"""The marker for user-facing text written in the proposals domain.

`_("At most {limit} characters.", limit=150)` marks the message for extraction (Babel finds
`_`) and returns a `verification.messages.Message`: the English text, which remembers its
message id and values so the web layer shows it in the visitor's language
(`service.i18n.translate_message`, or any `{{ }}` in a template). Amounts go in as `Money`
(integer cents) and dates as `Day`, so each locale formats them its own way. The command line
(cycle files, `civica load-cycle`) prints the English text as it is.
"""

from __future__ import annotations

from typing import Any

from verification import messages
from verification.messages import Day, Message, Money

__all__ = ["Day", "Message", "Money", "_"]


def _(msgid: str, **values: Any) -> str:
    """Mark `msgid` as user-facing text and fill in its `{named}` values: a `Message`, typed
    as the `str` it is, so problems and errors keep their plain `str` types."""
    return messages._(msgid, **values)
