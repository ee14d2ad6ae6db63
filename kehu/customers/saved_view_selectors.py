"""Saved list views (SavedView): the ones a user may open."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.core.errors import NotFound

from .models import SavedView


def saved_views_for(user: User | Any) -> QuerySet[SavedView]:
    """The list views `user` may open: their own and those shared with their team."""
    condition = Q(owner=user.pk)
    if getattr(user, "team_id", None):
        condition |= Q(team=user.team_id)
    return SavedView.objects.filter(condition).select_related("owner", "team")


def saved_view_get_for(user: User | Any, view_id: int) -> SavedView:
    """One view `user` may open (NotFound, 404, otherwise: someone else's private view)."""
    view = saved_views_for(user).filter(pk=view_id).first()
    if view is None:
        raise NotFound(_("No such saved view."))
    return view
