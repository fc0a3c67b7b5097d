"""Run inside `manage.py shell` by test_embedded_default: one job, submitted and awaited."""

import json
import sys
import tempfile
import time
from pathlib import Path

from generation.media.video import probe_video
from studio.models import GenerationJob, JobState
from tests.studio.factories import enrol_and_consent, make_creator, submit_job

folder = Path(tempfile.mkdtemp())
creator = make_creator("embedded@example.com")
enrol_and_consent(creator, folder)
job = submit_job(creator, folder, seconds=1.5, enqueue=True)
submitted = time.monotonic()
while job.state not in (JobState.RELEASED, JobState.FAILED) and time.monotonic() - submitted < 150:
    time.sleep(0.3)
    job = GenerationJob.objects.get(pk=job.pk)
info = probe_video(job.output.file.path) if job.state == JobState.RELEASED else None
print(
    json.dumps(
        {
            "state": job.state,
            "reason": job.failure_reason,
            "duration": info.duration_seconds if info else None,
            "audio_seconds": job.audio_seconds,
        }
    )
)
sys.stdout.flush()
