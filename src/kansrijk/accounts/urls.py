from django.urls import path

from kansrijk.accounts import views

app_name = "accounts"

urlpatterns = [
    path("inloggen/", views.LoginView.as_view(), name="login"),
    path("uitloggen/", views.LogoutView.as_view(), name="logout"),
    path("tweede-factor/", views.verify, name="verify"),
    path("tweede-factor/instellen/", views.setup, name="setup"),
    path("herstelcodes/", views.recovery_codes, name="recovery_codes"),
]
