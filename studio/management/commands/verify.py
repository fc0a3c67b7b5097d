import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from studio.errors import ApplicationError
from studio.services.verification import verify_upload


class Command(BaseCommand):
    help = "Verify a file exactly as POST /api/v1/verify does."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        if not options["path"].is_file():
            raise CommandError(f"{options['path']} is not a file.")
        try:
            result = verify_upload(options["path"])
        except ApplicationError as refused:
            raise CommandError(refused.message) from refused
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2))
        else:
            self.stdout.write(result["verdict"])
