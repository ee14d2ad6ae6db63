from django.urls import path

from . import views

urlpatterns = [
    path("help/", views.help_home, name="help-index"),
    path("help/panel/", views.help_panel, name="help-panel"),
    path("help/whatsnew/", views.help_whatsnew, name="help-whatsnew"),
    path("help/standard/", views.help_standard, name="help-standard"),
    path("help/pages/<slug:name>/", views.help_page, name="help-page"),
]
