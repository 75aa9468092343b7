"""Pages shared by everyone: home, sign-in, sign-up, region pickers."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from pulih.accounts.models import Role
from pulih.accounts.services import user_create
from pulih.reference import selectors as reference
from pulih.web.forms import SignupForm


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "web/landing.html")
    if request.user.role == Role.OWNER:
        return redirect("registry:owner_home")
    return redirect("registry:queue")


class SignInView(LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True


class SignOutView(LogoutView):
    pass


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = user_create(
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password1"],
            role=Role.OWNER,
            full_name=form.cleaned_data["full_name"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Akun dibuat. Silakan lengkapi data diri dan usaha Anda."))
        return redirect("registry:person_edit")
    return render(request, "web/signup.html", {"form": form})


@require_GET
def region_options(request: HttpRequest) -> HttpResponse:
    """<option>s for the next level of the region picker (htmx)."""
    # htmx sends the changed select's own name and value: province=31, city=31.71, ...
    parent = next(
        (
            request.GET[k].strip()
            for k in ("parent", "district", "city", "province")
            if request.GET.get(k)
        ),
        "",
    )
    regions = list(reference.region_children(parent_code=parent or None)) if parent else []
    return render(request, "web/region_options.html", {"regions": regions})
