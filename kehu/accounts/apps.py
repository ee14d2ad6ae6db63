from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kehu.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Django announces failed logins only through this signal (django-axes listens too):
        # the one place Kehu uses signals. Successful logins are audited by the login view.
        from django.contrib.auth.signals import user_login_failed

        from .signals import on_login_failed

        user_login_failed.connect(on_login_failed, dispatch_uid="kehu_audit_login_failed")
