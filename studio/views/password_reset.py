from django.contrib.auth.views import PasswordResetConfirmView
from django.shortcuts import render
from django.urls import reverse_lazy

from studio.forms import PasswordResetRequestForm
from studio.rate_limits import rate_limit_hit
from studio.services.password_reset import password_reset_completed, password_reset_request
from studio.services.two_factor import second_factor_required_for


def password_reset_request_view(request):
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST":
        rate_limit_hit(request, "password_reset")
        if form.is_valid():
            password_reset_request(
                email=form.cleaned_data["email"], base_url=request.build_absolute_uri("/")[:-1]
            )
            # The same answer whether or not the address has an account.
            return render(request, "registration/password_reset_sent.html")
    return render(request, "registration/password_reset_form.html", {"form": form})


class PasswordResetConfirm(PasswordResetConfirmView):
    """Django's own link check (the token moves into the session, off the address bar, before
    the form is shown), with Signet's limits and audit."""

    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        # No link is mailed to them (services/password_reset.py); none forged for them works.
        return None if user is not None and second_factor_required_for(user) else user

    def post(self, request, *args, **kwargs):
        rate_limit_hit(request, "password_reset")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        password_reset_completed(user=form.user)
        return response
