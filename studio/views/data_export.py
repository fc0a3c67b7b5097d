import json

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from studio.rate_limits import rate_limit_hit
from studio.services.data_export import account_data_export


@never_cache  # personal data: no cache along the way keeps a copy
@login_required
@require_POST  # a download that writes an audit event, asked for by the account's own page
def data_export(request):
    rate_limit_hit(request, "data_export")
    data = account_data_export(creator=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="signet-my-data-{day}.json"'
    return response
