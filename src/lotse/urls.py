from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Lotse – Verwaltung")
admin.site.site_title = _("Lotse")

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("lotse.core.urls")),
    path("verzeichnis/", include("lotse.ecosystem.urls")),
    path("konto/", include("lotse.accounts.urls")),
    path("veranstaltungen/", include("lotse.events.urls")),
    path("matching/", include("lotse.matching.urls")),
    path("suche/", include("lotse.search.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "lotse.core.views.bad_request"
handler403 = "lotse.core.views.permission_denied"
handler404 = "lotse.core.views.page_not_found"
handler500 = "lotse.core.views.server_error"
