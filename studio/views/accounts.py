from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, PasswordChangeView
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from studio.errors import ApplicationError
from studio.forms import EmailLoginForm, SignUpFinishForm, SignUpForm, ThrottledPasswordChangeForm
from studio.login_throttle import password_reentry_check
from studio.rate_limits import rate_limit_hit
from studio.services.accounts import account_delete
from studio.services.signup import signup_finish, signup_link_email, signup_request


def signup(request):
    form = SignUpForm(request.POST or None)
    if request.method == "POST":
        rate_limit_hit(request, "signup")
        if form.is_valid():
            signup_request(
                email=form.cleaned_data["email"], base_url=request.build_absolute_uri("/")[:-1]
            )
            # The same answer whether or not the address has an account.
            return render(request, "registration/signup_sent.html")
    return render(request, "registration/signup.html", {"form": form})


def signup_finish_view(request, token: str):
    try:
        email = signup_link_email(token)
    except ApplicationError as refused:
        return render(request, "error.html", {"message": refused.message}, status=refused.status)
    form = SignUpFinishForm(request.POST or None, email=email)
    if request.method == "POST" and form.is_valid():
        try:
            user = signup_finish(token=token, password=form.cleaned_data["password1"])
        except ApplicationError as refused:
            return render(
                request, "error.html", {"message": refused.message}, status=refused.status
            )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request, _("Welcome to Signet. Enrol your face and give consent to start.")
        )
        return redirect("dashboard")
    return render(request, "registration/signup_finish.html", {"form": form, "email": email})


class ThrottledLoginView(LoginView):
    """Django's login, rate-limited per client address; django-axes locks out repeated failures."""

    form_class = EmailLoginForm

    def post(self, request, *args, **kwargs):
        rate_limit_hit(request, "login")
        return super().post(request, *args, **kwargs)


class ThrottledPasswordChangeView(PasswordChangeView):
    """Django's password change; a wrong old password counts as a failed login (django-axes)."""

    form_class = ThrottledPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


@login_required
def delete_account(request):
    error = None
    if request.method == "POST":
        if password_reentry_check(request, request.user, request.POST.get("password", "")):
            account_delete(user=request.user)
            logout(request)
            messages.success(
                request,
                _("Your account and personal data are deleted. Your videos now verify as revoked."),
            )
            return redirect("home")
        error = _("That password is not right.")
    return render(
        request, "registration/delete_account.html", {"error": error}, status=400 if error else 200
    )
