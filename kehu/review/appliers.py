"""How an approved review item is applied: by the service of the app that owns the change.

The review queue sits below the apps whose changes it holds (customers, contacts, exports), so
it cannot import them. Each owning app registers, in its AppConfig.ready(), the function that
replays its kind of held change through its own service; approving an item calls it inside
the approval's transaction. This is the one place where the queue calls upward at run time,
and it is explicit: `grep register_applier` lists every caller. A replay is marked approved
(the service skips the review guard for it), so it can never be held again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import ReviewItem

Applier = Callable[["ReviewItem"], None]
_APPLIERS: dict[str, Applier] = {}


def register_applier(action: str, applier: Applier) -> None:
    """Called once per action from the owning app's AppConfig.ready()."""
    _APPLIERS[action] = applier


def applier_for(action: str) -> Applier | None:
    return _APPLIERS.get(action)
