from django.core.management.base import BaseCommand, CommandError

from studio.services.audit import audit_chain_verify


class Command(BaseCommand):
    help = "Walk the audit log's hash chain and report the first broken link."

    def handle(self, *args, **options):
        check = audit_chain_verify()
        if not check.intact:
            raise CommandError(
                f"audit chain BROKEN at event #{check.first_broken_sequence}: {check.problem} "
                f"({check.events_checked} events before it are intact)"
            )
        self.stdout.write(self.style.SUCCESS(f"audit chain intact: {check.events_checked} events"))
