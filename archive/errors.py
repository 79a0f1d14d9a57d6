"""Errors whose message is written for the person who asked.

A service raises ``UserError`` for a refusal the user can act on ("The password given does not
open this PDF."); views and the API show its message as it is (a form message, an API
``detail``). Anything else a service raises is a fault of the app: it is logged and answered
with the error page, never shown as a message, since its words (a storage path, a library's
internals) are neither meant for the user nor safe to show.

``UserError`` is a ``ValueError`` so that callers written before it existed, which catch
``ValueError``, still catch the refusals.
"""

from __future__ import annotations


class UserError(ValueError):
    """A refusal whose message may be shown to the user as it is."""
