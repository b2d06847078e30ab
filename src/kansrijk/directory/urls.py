"""Pages of the social map, under /sociale-kaart/."""

from django.urls import path

from kansrijk.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.search, name="search"),
    path("te-verifieren/", views.to_verify, name="to_verify"),
    path("diensten/nieuw/", views.service_create, name="service_create"),
    path("diensten/<uuid:service_id>/", views.service_detail, name="service"),
    path("diensten/<uuid:service_id>/bewerken/", views.service_edit, name="service_edit"),
    path("diensten/<uuid:service_id>/verifieren/", views.service_verify, name="service_verify"),
    path("diensten/<uuid:service_id>/geschiedenis/", views.service_history, name="service_history"),
]
