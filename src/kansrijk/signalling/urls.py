from django.urls import path

from kansrijk.signalling import views

app_name = "signalling"

urlpatterns = [
    path("", views.conversation, name="conversation"),
    path("regels/", views.rules_page, name="rules"),
    path("wegwijzer/", views.guide, name="guide"),
]
