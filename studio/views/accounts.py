from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from studio.forms import SignUpForm
from studio.services.accounts import account_delete, creator_create


def signup(request):
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = creator_create(
            email=form.cleaned_data["email"], password=form.cleaned_data["password1"]
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request, _("Welcome to Signet. Enrol your face and give consent to start.")
        )
        return redirect("dashboard")
    return render(request, "registration/signup.html", {"form": form})


@login_required
def delete_account(request):
    error = None
    if request.method == "POST":
        if request.user.check_password(request.POST.get("password", "")):
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
