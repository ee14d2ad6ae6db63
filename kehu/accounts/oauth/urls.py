"""/oauth/: the toolkit's endpoints (authorize with Kehu's consent page, token, revoke_token)
and the pages of connected applications."""

from django.urls import path
from oauth2_provider import views as toolkit

from . import views

urlpatterns = [
    path("authorize/", views.AuthorizeView.as_view(), name="oauth-authorize"),
    path("token/", toolkit.TokenView.as_view(), name="oauth-token"),
    path("revoke_token/", toolkit.RevokeTokenView.as_view(), name="oauth-revoke-token"),
    path("applications/", views.application_list, name="oauth-application-list"),
    path(
        "applications/<int:application_id>/",
        views.application_detail,
        name="oauth-application-detail",
    ),
    path(
        "applications/<int:application_id>/revoke/",
        views.application_revoke,
        name="oauth-application-revoke",
    ),
    path("connected/", views.connected_list, name="oauth-connected"),
    path(
        "connected/<int:application_id>/revoke/",
        views.connected_revoke,
        name="oauth-connected-revoke",
    ),
]
