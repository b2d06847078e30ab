"""The referral pages, under ``/verwijzingen/``. Only UUIDs in paths; query parameters carry
ids, codes and filters, never personal data."""

from __future__ import annotations

from django.urls import path

from kansrijk.referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.sent, name="sent"),
    path("nieuw/", views.new, name="new"),
    path("nieuw/prenataal-huisbezoek/", views.new_prenatal, name="new_prenatal"),
    path("inbox/", views.inbox, name="inbox"),
    path("resultaten/", views.results, name="results"),
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/wijzigen/", views.edit, name="edit"),
    path("<uuid:pk>/toestemming/", views.consent, name="consent"),
    path(
        "<uuid:pk>/toestemming/<uuid:consent_pk>/intrekken/",
        views.withdraw_consent,
        name="withdraw_consent",
    ),
    path("<uuid:pk>/status/", views.transition, name="transition"),
    path("<uuid:pk>/contactpoging/", views.contact_attempt, name="contact_attempt"),
    path("<uuid:pk>/afdrukken/", views.print_view, name="print"),
    path("<uuid:pk>/toegang/", views.access_report, name="access_report"),
]
