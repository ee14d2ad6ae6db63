from django.contrib import admin
from django.urls import include, path

from kehu.api import api
from kehu.collab.views import customer_bulk
from kehu.core.health import healthz

# A database outage is a 503 page (or JSON under /api/), any other error Django's 500.
handler500 = "kehu.core.outage.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("kehu.accounts.urls")),
    path("oauth/", include("kehu.accounts.oauth.urls")),  # connected applications (OAuth 2.0)
    # Before the pages under customers/<number>/: the list's bulk actions.
    path("customers/bulk/", customer_bulk, name="customer-bulk"),
    path("", include("kehu.interactions.urls")),
    path("", include("kehu.opportunities.urls")),
    path("reports/", include("kehu.reports.urls")),
    # Customers first: /customers/new/ must not be read as the customer numbered "new".
    path("", include("kehu.customers.urls")),
    path("", include("kehu.review.urls")),
    path("", include("kehu.portal.urls")),
    path("", include("kehu.intake.urls")),
    path("", include("kehu.intake.capture.urls")),
    path("", include("kehu.search.urls")),
    path("", include("kehu.dedupe.urls")),
    path("", include("kehu.collab.urls")),
    path("", include("kehu.workflow.urls")),
    path("", include("kehu.value.urls")),
    path("", include("kehu.value.propensity_urls")),
    path("", include("kehu.tags.urls")),
    path("", include("kehu.tags.rules_urls")),
    path("", include("kehu.segments.urls")),
    path("", include("kehu.help.urls")),
    path("", include("kehu.training.urls")),
    path("", include("kehu.privacy.urls")),
]
