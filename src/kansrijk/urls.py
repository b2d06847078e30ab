from django.conf import settings
from django.contrib import admin
from django.urls import include, path, reverse_lazy
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog

from kansrijk.api import views as api_views
from kansrijk.core import views as core_views
from kansrijk.parents import views as parents_views

urlpatterns = [
    path("", include("kansrijk.core.urls")),
    path("account/", include("kansrijk.accounts.urls")),
    path("plaatsen/", include("kansrijk.places.urls")),
    path("sociale-kaart/", include("kansrijk.directory.urls")),
    path("menukaart/", include("kansrijk.interventions.urls")),
    path("toegangslog/", include("kansrijk.audit.urls")),
    path("signalering/", include("kansrijk.signalling.urls")),
    path("zorgpaden/", include("kansrijk.pathways.urls")),
    path("verwijzingen/", include("kansrijk.referrals.urls")),
    path("ouders/", include("kansrijk.parents.urls")),
    path("coalities/", include("kansrijk.coalitions.urls")),
    path("zelfevaluatie/", include("kansrijk.assessments.urls")),
    path("monitor/", include("kansrijk.monitoring.urls")),
    path("api/", include("kansrijk.api.urls")),
    path("api-documentatie/", api_views.docs_page, name="api-docs"),
    path("api-documentatie/hsds/", api_views.docs_page, {"api": "hsds"}, name="api-docs-hsds"),
    path("fhir/", include("kansrijk.referrals.fhir_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("i18n/taal/<str:code>/", core_views.switch_language, name="switch-language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    # The admin logs in through our own pages, so its users pass the same second factor.
    path(
        f"{settings.ADMIN_URL_PATH}login/",
        RedirectView.as_view(url=reverse_lazy("accounts:login"), query_string=True),
    ),
    path(settings.ADMIN_URL_PATH, admin.site.urls),
]

handler404 = parents_views.page_not_found
handler500 = core_views.server_error
