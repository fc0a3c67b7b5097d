from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render

from studio.forms import SignUpForm
from studio.services.accounts import creator_create


def signup(request):
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = creator_create(email=form.cleaned_data["email"], password=form.cleaned_data["password1"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome to Signet. Enrol your face and give consent to start.")
        return redirect("dashboard")
    return render(request, "registration/signup.html", {"form": form})
