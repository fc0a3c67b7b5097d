import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from studio.errors import ApplicationError
from studio.models import GenerationJob, JobState
from studio.services.jobs import job_render, job_submit_uploads
from studio.stored_files import stored_copy


class Command(BaseCommand):
    help = "Run one generation job through the same gate, renderer and sealing as the web page."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="the creator's e-mail")
        parser.add_argument("--portrait", required=True, type=Path)
        parser.add_argument("--audio", required=True, type=Path)
        parser.add_argument("--out", required=True, type=Path)
        parser.add_argument("--label-corner", default="bottom-right")
        parser.add_argument("--label-language", default="en", help="en: AI-generated, de: KI-generiert")

    def handle(self, *args, **options):
        creator = get_user_model().objects.filter(username=options["user"].lower()).first()
        if creator is None:
            raise CommandError(f"No account with the e-mail {options['user']}.")
        for key in ("portrait", "audio"):
            if not options[key].is_file():
                raise CommandError(f"{options[key]} is not a file.")
        try:
            job = job_submit_uploads(
                creator=creator,
                portrait=options["portrait"],
                audio=options["audio"],
                label_corner=options["label_corner"],
                label_language=options["label_language"],
                channel="command",
                enqueue=False,
            )
        except ApplicationError as refused:
            raise CommandError(f"Refused: {refused.message}") from refused
        if job.state == JobState.HELD:
            raise CommandError(
                f"Held for review by a moderator (job {job.public_id}); nothing rendered yet."
            )
        self.stdout.write(f"job {job.public_id}: gate accepted, rendering…")

        last = {"percent": -1}

        def show(done: int, total: int) -> None:
            percent = int(100 * done / total) if total else 0
            if percent != last["percent"] and (percent % 5 == 0 or done == total):
                last["percent"] = percent
                stage = GenerationJob.objects.values_list("state", flat=True).get(pk=job.pk)
                self.stdout.write(f"  {stage}: {done}/{total} frames ({percent}%)")
                sys.stdout.flush()

        job_render(job.pk, observer=show)
        job.refresh_from_db()
        if job.state not in (JobState.RELEASED, JobState.IN_REVIEW):
            raise CommandError(
                f"Job {job.public_id} {job.state}: {job.failure_reason or 'no reason recorded'}"
            )
        options["out"].parent.mkdir(parents=True, exist_ok=True)
        stored_copy(job.output.file, options["out"])
        note = (
            " (held for moderator review before public release)"
            if job.state == JobState.IN_REVIEW
            else ""
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"wrote {options['out']}: {job.output.duration_seconds:.2f} s, sealed{note}"
            )
        )
