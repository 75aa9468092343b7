"""The REST API under /api/v1/: one NinjaAPI, a router per domain, token or session auth."""

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import NinjaAPI
from ninja.security import APIKeyHeader, HttpBearer, django_auth

from pulih.accounts.models import User
from pulih.accounts.selectors import user_for_api_token


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` with a token made by `pulih api_token USER`."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_api_token(key=token)
        if user is not None:
            request.user = user
        return user


class TokenHeader(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        if not key:
            return None
        user = user_for_api_token(key=key)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Pulih API",
    version="1",
    description="Registri UMKM dan program pemulihan. Semua data dibatasi pada wilayah pengguna.",
    auth=[BearerToken(), TokenHeader(), django_auth],
    urls_namespace="api-1",
)

# Routers import this module's `api` indirectly (schemas, auth), so they are mounted last.
from pulih.programmes.api import (  # noqa: E402
    programme_error_handler,
    router as programmes_router,
)
from pulih.programmes.error_codes import ProgrammeError  # noqa: E402
from pulih.reference.api import router as reference_router  # noqa: E402
from pulih.registry.api import registry_error_handler, router as registry_router  # noqa: E402
from pulih.registry.error_codes import RegistryError  # noqa: E402

api.add_router("/", reference_router)
api.add_router("/", registry_router)
api.add_exception_handler(RegistryError, registry_error_handler)

from pulih.payments.api import payment_error_handler, router as payments_router  # noqa: E402
from pulih.payments.error_codes import PaymentError  # noqa: E402

api.add_router("/", payments_router)
api.add_exception_handler(PaymentError, payment_error_handler)
api.add_router("/", programmes_router)
api.add_exception_handler(ProgrammeError, programme_error_handler)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # Out of scope and absent look the same, in the user's language.
    return api.create_response(request, {"detail": gettext("Data tidak ditemukan.")}, status=404)
