from django.urls import path

from kansrijk.places import views

app_name = "places"

urlpatterns = [
    path("postcode/", views.postcode, name="postcode"),
    path("gemeenten/", views.municipalities, name="municipalities"),
]
