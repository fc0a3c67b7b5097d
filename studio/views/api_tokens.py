import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from studio.errors import AlreadyDone, ApplicationError
from studio.forms import ApiTokenForm
from studio.rate_limits import rate_limit_hit
from studio.selectors.api_tokens import api_tokens_for_creator
from studio.services.api_tokens import api_token_create, api_token_revoke


@never_cache  # the answer to a POST carries a new key: no cache may keep it
@login_required
@permission_required("studio.submit_job", raise_exception=True)
def api_tokens(request):
    form = ApiTokenForm(request.POST or None)
    new_key = new_token = None
    error = None
    status = 200
    if request.method == "POST":
        rate_limit_hit(request, "api_token_changes")
    if request.method == "POST" and form.is_valid():
        try:
            new_token, new_key = api_token_create(
                creator=request.user,
                label=form.cleaned_data["label"],
                lifetime_days=form.cleaned_data["lifetime_days"],
                form_submission=request.POST.get("form_submission", ""),
            )
        except ApplicationError as refused:
            error = refused.message
            status = 409 if isinstance(refused, AlreadyDone) else 400
        else:
            form = ApiTokenForm()
    elif form.errors:
        status = 400
    # Rendered, not redirected: the key goes to this one response and is never kept anywhere.
    return render(
        request,
        "registration/api_tokens.html",
        {
            "form": form,
            "error": error,
            "new_key": new_key,
            "new_token": new_token,
            "tokens": api_tokens_for_creator(request.user),
            # Names this rendering of the form; see api_token_create.
            "form_submission": secrets.token_urlsafe(24),
        },
        status=status,
    )


@login_required
@permission_required("studio.submit_job", raise_exception=True)
@require_POST
def api_token_revoke_view(request, public_id):
    rate_limit_hit(request, "api_token_changes")
    api_token_revoke(creator=request.user, token_public_id=public_id)
    messages.success(request, _("The API token is revoked; requests with its key are refused."))
    return redirect("api_tokens")
