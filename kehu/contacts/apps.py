from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    """The people at a customer: their roles in the decision chain, phones, who left."""

    name = "kehu.contacts"
    label = "contacts"
    verbose_name = _("Contacts")
