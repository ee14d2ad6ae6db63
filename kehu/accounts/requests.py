"""The request type of pages and API operations behind a login: `request.user` is a User.

Views under @login_required and API operations (every one needs auth: the session or a token)
annotate `request: AuthedRequest`, so the actor they pass to services is typed as the user model.
"""

from __future__ import annotations

from django.http import HttpRequest

from .models import User


class AuthedRequest(HttpRequest):
    user: User
