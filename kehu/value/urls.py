from django.urls import path

from . import views

urlpatterns = [
    path("value/", views.value_octants_page, name="value-octants"),
    path("settings/value/", views.value_settings_page, name="value-settings"),
]
