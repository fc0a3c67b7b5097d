from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import TemplateView

from studio.api.urls import api as api_v1
from studio.views import (
    accounts,
    api_tokens,
    consent,
    data_export,
    health,
    jobs,
    metrics,
    moderation,
    outputs,
    password_reset,
    soft_binding,
    two_factor,
    verify,
)

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the language switch
    # accounts
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/signup/<str:token>/", accounts.signup_finish_view, name="signup_finish"),
    path("accounts/login/", accounts.ThrottledLoginView.as_view(), name="login"),
    path("accounts/two-factor/", two_factor.two_factor_verify_view, name="two_factor_verify"),
    path(
        "accounts/two-factor/enrol/<str:token>/",
        two_factor.two_factor_enrol_view,
        name="two_factor_enrol",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/reset/", password_reset.password_reset_request_view, name="password_reset"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        password_reset.PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path(
        "accounts/password/",
        accounts.ThrottledPasswordChangeView.as_view(),
        name="password_change",
    ),
    path("accounts/delete/", accounts.delete_account, name="delete_account"),
    path("accounts/export/", data_export.data_export, name="data_export"),
    path("accounts/tokens/", api_tokens.api_tokens, name="api_tokens"),
    path(
        "accounts/tokens/<uuid:public_id>/revoke",
        api_tokens.api_token_revoke_view,
        name="api_token_revoke",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # creators
    path("dashboard/", jobs.dashboard, name="dashboard"),
    path("enrol/", consent.enrol, name="enrol"),
    path("consent/", consent.consent, name="consent"),
    path("consent/start/", consent.consent_start, name="consent_start"),
    path("consent/revoke/", consent.consent_revoke_view, name="consent_revoke"),
    path("jobs/new/", jobs.job_new, name="job_new"),
    path("jobs/<uuid:public_id>/", jobs.job_detail, name="job_detail"),
    path("jobs/<uuid:public_id>/status", jobs.job_status, name="job_status"),
    path("jobs/<uuid:public_id>/cancel", jobs.job_cancel_view, name="job_cancel"),
    path("jobs/<uuid:public_id>/withdraw", jobs.job_withdraw_view, name="job_withdraw"),
    path("outputs/<uuid:public_id>/video.mp4", outputs.output_video, name="output_video"),
    path("outputs/<uuid:public_id>/poster.jpg", outputs.output_poster, name="output_poster"),
    # public verification
    path("verify/", verify.verify_page, name="verify"),
    path("verify/report/", verify.report_page, name="report"),
    # C2PA Soft Binding Resolution API (its server base is /api/v1)
    path(
        "api/v1/matches/byBinding",
        soft_binding.matches_by_binding,
        name="api_matches_by_binding",
    ),
    path(
        "api/v1/matches/byContent",
        soft_binding.matches_by_content,
        name="api_matches_by_content",
    ),
    path("api/v1/manifests/<path:manifest_id>", soft_binding.manifest, name="api_manifest"),
    path(
        "api/v1/services/supportedAlgorithms",
        soft_binding.supported_algorithms,
        name="api_supported_algorithms",
    ),
    # the API (creators' jobs and the verifier), with its OpenAPI document at api/v1/openapi.json
    path("api/v1/", api_v1.urls),
    # moderators
    path("moderation/", moderation.queue, name="moderation_queue"),
    path("moderation/gallery/", moderation.gallery, name="moderation_gallery"),
    path("moderation/cases/<uuid:public_id>/", moderation.case_detail, name="moderation_case"),
    path(
        "moderation/cases/<uuid:public_id>/claim",
        moderation.case_claim_view,
        name="moderation_case_claim",
    ),
    path(
        "moderation/cases/<uuid:public_id>/decide",
        moderation.case_decide_view,
        name="moderation_case_decide",
    ),
    path(
        "moderation/cases/<uuid:public_id>/evidence/<str:kind>",
        moderation.case_evidence,
        name="moderation_case_evidence",
    ),
]

handler400 = "studio.views.errors.bad_request"
handler404 = "studio.views.errors.not_found"
handler500 = "studio.views.errors.server_error"
handler403 = "studio.views.errors.forbidden"
