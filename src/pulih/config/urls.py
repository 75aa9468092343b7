"""URL map: the web UI, the API under /api/v1/, language switching and uploaded media."""

from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve

from pulih.config.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("", include("pulih.registry.urls")),
    path("", include("pulih.intake.urls")),
    path("", include("pulih.linkage.urls")),
    path("", include("pulih.payments.urls")),
    path("", include("pulih.programmes.urls")),
    path("", include("pulih.web.urls")),
]

if settings.PULIH_SERVE_MEDIA:
    # Product photos: served by Django in the embedded set-up; production puts them behind the
    # web server (README). Names are random tokens chosen by us, never the uploader's.
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]
