"""Two-factor login pages: the code after the password, and setting it up or turning it off
(the rules are ``archive.twofactor``'s)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from archive import twofactor
from archive.errors import UserError


def _next(request: HttpRequest) -> str:
    """Where to go after the code: the ``next`` asked for if it is on this site, else start."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return "/"


@login_required
@require_http_methods(["GET", "POST"])
def twofactor_verify(request: HttpRequest) -> HttpResponse:
    """The login's second step: the code from the authenticator app."""
    if not twofactor.needs_code(request.user) or request.user.is_verified():  # type: ignore[arg-type, union-attr]
        return redirect(_next(request))
    error = ""
    status = 200
    if request.method == "POST":
        try:
            twofactor.verify(request, request.POST.get("code", ""))
        except twofactor.CodeRefused as refusal:
            error = str(refusal)
            status = 429 if refusal.wait else 200
        else:
            return redirect(_next(request))
    context = {"error": error, "next": _next(request)}
    return render(request, "archive/twofactor_verify.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def twofactor_setup(request: HttpRequest) -> HttpResponse:
    """Turn two-factor login on (scan the code, confirm with a code) or off (with a code)."""
    user = request.user
    device = twofactor.confirmed_device(user)  # type: ignore[arg-type]
    error = ""
    if request.method == "POST":
        code = request.POST.get("code", "")
        try:
            if device is None:
                twofactor.confirm(request, twofactor.pending_device(user), code)  # type: ignore[arg-type]
                messages.success(
                    request, gettext("Two-factor login is on: logging in now takes a code.")
                )
            else:
                twofactor.turn_off(request, code)
                messages.success(request, gettext("Two-factor login is off."))
        except UserError as refusal:
            error = str(refusal)
        else:
            return redirect("twofactor_setup")
    staff = bool(getattr(user, "is_staff", False))
    context: dict[str, object] = {
        "error": error,
        "enabled": device is not None,
        "required": staff and settings.OTP_REQUIRED_FOR_STAFF,
    }
    if device is None:
        context["enrolment"] = twofactor.enrolment(twofactor.pending_device(user))  # type: ignore[arg-type]
    return render(request, "archive/twofactor_setup.html", context)
