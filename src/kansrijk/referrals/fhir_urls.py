"""FHIR R4 read endpoints for referrals, mounted at /fhir/."""

from django.urls import path, re_path

from kansrijk.referrals import fhir

app_name = "fhir"

urlpatterns = [
    path("metadata", fhir.MetadataView.as_view(), name="metadata"),
    path("Task", fhir.TaskSearchView.as_view(), name="task-search"),
    path("Task/<str:resource_id>", fhir.TaskReadView.as_view(), name="task"),
    path(
        "ServiceRequest/<str:resource_id>",
        fhir.ServiceRequestReadView.as_view(),
        name="service-request",
    ),
    path("Consent/<str:resource_id>", fhir.ConsentReadView.as_view(), name="consent"),
    re_path(r"^(?P<rest>.*)$", fhir.UnsupportedView.as_view(), name="unsupported"),
]
