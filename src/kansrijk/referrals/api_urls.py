"""The referrals API, mounted at /api/v1/referrals/. Ids are UUIDs, parsed in the views so that a
malformed id is a 404 problem like any unknown one."""

from django.urls import path

from kansrijk.referrals import api

app_name = "referrals-api"

urlpatterns = [
    path("", api.ReferralCollectionView.as_view(), name="list"),
    path("workflow/", api.WorkflowView.as_view(), name="workflow"),
    path("<str:referral_id>/", api.ReferralDetailView.as_view(), name="detail"),
    path("<str:referral_id>/consents/", api.ConsentCollectionView.as_view(), name="consents"),
    path(
        "<str:referral_id>/consents/<str:consent_id>/withdraw/",
        api.ConsentWithdrawView.as_view(),
        name="consent-withdraw",
    ),
    path("<str:referral_id>/transitions/", api.TransitionView.as_view(), name="transitions"),
    path("<str:referral_id>/outcome/", api.OutcomeView.as_view(), name="outcome"),
    path(
        "<str:referral_id>/contact-attempts/",
        api.ContactAttemptView.as_view(),
        name="contact-attempts",
    ),
]
