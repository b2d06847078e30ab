from django.urls import path

from kansrijk.signalling import views

app_name = "signalling"

urlpatterns = [
    path("", views.conversation, name="conversation"),
    path("uitkomst/", views.outcome, name="outcome"),
    path("uitkomst/nieuw-gesprek/", views.restart, name="restart"),
    path("regels/", views.rules_page, name="rules"),
    path("wegwijzer/", views.guide, name="guide"),
]
