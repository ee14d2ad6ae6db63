"""The sandbox's workflow (issue 16): the shipped rules, and the event cursor moved past the
loaded history, so that rules act on what people do in the sandbox, not on its loading (a
reset wipes the change log, whose numbers then start again from 1)."""

from __future__ import annotations

from kehu.workflow.services.setup import events_cursor_to_end, rules_defaults_ensure


def workflow_sandbox() -> None:
    rules_defaults_ensure()
    events_cursor_to_end()
