import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from safety.faces import face_verdict
from studio.face_backend import face_backend, identity_thresholds, quality_limits


class Command(BaseCommand):
    help = (
        "Print the gate's face verdict for a selfie and a portrait (accepted / review / refused)."
    )

    def add_arguments(self, parser):
        parser.add_argument("selfie", type=Path)
        parser.add_argument("portrait", type=Path)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        for key in ("selfie", "portrait"):
            if not options[key].is_file():
                raise CommandError(f"{options[key]} is not a file.")
        verdict = face_verdict(
            options["selfie"].read_bytes(),
            options["portrait"].read_bytes(),
            backend=face_backend(),
            thresholds=identity_thresholds(),
            limits=quality_limits(),
        )
        if options["json"]:
            self.stdout.write(json.dumps(verdict.to_dict(), indent=2))
        else:
            self.stdout.write(f"{verdict.decision}: {verdict.explanation}")
