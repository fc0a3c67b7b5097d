import sys

from django.core.management.base import BaseCommand

from studio.audit_export import audit_events_jsonl
from studio.models import AuditEvent


class Command(BaseCommand):
    help = "Print the audit log as JSON Lines."

    def add_arguments(self, parser):
        parser.add_argument("--subject", default="", help="only events about this subject ID")

    def handle(self, *args, **options):
        events = AuditEvent.objects.order_by("sequence")
        if options["subject"]:
            events = events.filter(subject_id=options["subject"])
        for line in audit_events_jsonl(events.iterator()):
            sys.stdout.write(line)
