from django.contrib.auth import views as auth_views
from django.urls import path

from . import company_views, two_factor, views

urlpatterns = [
    path("login/", two_factor.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("otp/", two_factor.otp_verify, name="otp-verify"),
    path("otp/setup/", two_factor.otp_setup, name="otp-setup"),
    path("profile/", views.profile, name="profile"),
    path("profile/time-zone/", views.profile_time_zone, name="profile-time-zone"),
    path("profile/tokens/<int:token_id>/revoke/", views.token_revoke, name="token-revoke"),
    path("users/<int:user_id>/otp/reset/", views.otp_reset, name="otp-reset"),
    path("users/new/", views.user_create, name="user-create"),
    path("users/<int:user_id>/edit/", views.user_edit, name="user-edit"),
    path("users/<int:user_id>/password/", views.user_password, name="user-password"),
    path("settings/company/", company_views.company_settings_edit, name="company-settings"),
]
