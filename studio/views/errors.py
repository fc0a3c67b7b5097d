from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from studio.middleware import wants_json


def bad_request(request, exception=None):
    if wants_json(request):
        return JsonResponse(
            {"error": {"code": "bad_request", "message": _("This request could not be read.")}},
            status=400,
        )
    return render(
        request, "error.html", {"message": _("This request could not be read.")}, status=400
    )


def not_found(request, exception=None):
    if wants_json(request):
        return JsonResponse(
            {"error": {"code": "not_found", "message": _("Not found.")}}, status=404
        )
    return render(
        request,
        "error.html",
        {"message": _("This page does not exist, or it is not yours to see.")},
        status=404,
    )


def server_error(request):
    if wants_json(request):
        return JsonResponse(
            {"error": {"code": "internal", "message": _("Something went wrong on our side.")}},
            status=500,
        )
    return render(
        request,
        "error.html",
        {"message": _("Something went wrong on our side. Please try again.")},
        status=500,
    )


def forbidden(request, exception=None):
    if wants_json(request):
        return JsonResponse(
            {"error": {"code": "forbidden", "message": _("You are not allowed to do this.")}},
            status=403,
        )
    return render(
        request, "error.html", {"message": _("You are not allowed to open this page.")}, status=403
    )
