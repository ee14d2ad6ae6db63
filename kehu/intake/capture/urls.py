from django.urls import path

from . import views

urlpatterns = [
    path("leads/form/", views.lead_form, name="lead-form"),
    path("capture/card/", views.card_capture, name="capture-card"),
    path("customers/<str:customer_no>/capture/chat/", views.chat_capture, name="capture-chat"),
    path("capture/rules/", views.capture_rules, name="capture-rules"),
]
