"""Gates: a higher app may refuse a lower app's action for a user (kehu.training's
certification before import and merge). The lower service calls `gate_check(name, user)`; the
higher app registers the function in its AppConfig.ready(), like review's appliers: the one
explicit upward call, listed by `grep gate_register`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

GateFunction = Callable[[Any], None]

_GATES: dict[str, list[GateFunction]] = {}


def gate_register(name: str, gate: GateFunction) -> None:
    """Call `gate(user)` before every `name` action; it raises (PermissionDenied) to refuse."""
    gates = _GATES.setdefault(name, [])
    if gate not in gates:
        gates.append(gate)


def gate_check(name: str, user: Any) -> None:
    """Run the gates registered for `name`: each raises to refuse the action for `user`."""
    for gate in _GATES.get(name, []):
        gate(user)
