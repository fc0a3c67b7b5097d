from django.contrib import admin
from django.http import StreamingHttpResponse

from studio.audit_export import audit_events_jsonl
from studio.models import (
    ApiToken,
    AudioClip,
    AuditEvent,
    ConsentRecord,
    DoNotAnimateEntry,
    EnrolledIdentity,
    GenerationJob,
    MisuseReport,
    ModerationCase,
    OutputArtifact,
    Portrait,
)


class ViewOnlyAdmin(admin.ModelAdmin):
    """Shown, never added or edited here: each row has one service that makes it and records it
    in the audit log. An enrolled face edited in place would keep the consent given for the old
    face (enrolling again voids it), a token's hash set here would be a key to a creator's API
    that nobody made, and a case resolved here would leave the queue with no decision carried
    out. Nor deleted here: a deleted output would leave the verifier saying "unknown" for a
    revoked video's copies, a deleted consent record the jobs made under it without their
    evidence, and a deleted case a misuse report undecided. What may go goes through a service
    (account deletion, withdrawing a video) that keeps what the verifier and the audit need."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(GenerationJob)
class GenerationJobAdmin(ViewOnlyAdmin):
    list_display = ("public_id", "creator", "state", "renderer", "audio_seconds", "created_at")
    list_filter = ("state", "renderer")
    search_fields = ("public_id", "creator__email")
    # State changes go through the state machine (studio.services.job_transitions), never a form.
    readonly_fields = [field.name for field in GenerationJob._meta.fields]


@admin.register(OutputArtifact)
class OutputArtifactAdmin(ViewOnlyAdmin):
    list_display = ("public_id", "status", "watermark_id", "manifest_id", "published_at")
    list_filter = ("status",)
    readonly_fields = [field.name for field in OutputArtifact._meta.fields]


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ViewOnlyAdmin):
    list_display = (
        "public_id",
        "creator",
        "statement_version",
        "granted_at",
        "expires_at",
        "revoked_at",
    )
    readonly_fields = [field.name for field in ConsentRecord._meta.fields]


@admin.register(ModerationCase)
class ModerationCaseAdmin(ViewOnlyAdmin):
    list_display = ("public_id", "reason", "state", "claimed_by", "decision", "created_at")
    list_filter = ("reason", "state", "decision")


@admin.action(description="Export selected events as JSON Lines")
def export_jsonl(modeladmin, request, queryset):
    response = StreamingHttpResponse(
        audit_events_jsonl(queryset.order_by("sequence")), content_type="application/jsonl"
    )
    response["Content-Disposition"] = 'attachment; filename="signet-audit.jsonl"'
    return response


@admin.register(AuditEvent)
class AuditEventAdmin(ViewOnlyAdmin):
    list_display = ("sequence", "created_at", "actor_label", "action", "subject_type", "subject_id")
    list_filter = ("action",)
    search_fields = ("subject_id", "action")
    actions = [export_jsonl]


for model in (EnrolledIdentity, Portrait, AudioClip, DoNotAnimateEntry, MisuseReport, ApiToken):
    admin.site.register(model, ViewOnlyAdmin)
