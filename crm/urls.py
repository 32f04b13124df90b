from django.contrib import admin
from django.urls import include, path

from crm import views
from crm.insights.dashboard import views as dashboard

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("accounts/", include("crm.accounts.urls")),
    path("customers/", include("contacts.urls")),
    path("mail/", include("contacts.mail.urls")),
    path("marketing/", include("marketing.urls")),
    path("leads/", include("leads.urls")),
    path("sales/", include("sales.urls")),
    path("accounting/", include("accounting.urls")),
    path("service/", include("service.urls")),
    path("insights/", include("crm.insights.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler403 = "crm.views.error_403"
handler404 = "crm.views.error_404"
handler500 = "crm.views.error_500"
