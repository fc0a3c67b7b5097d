"""Run inside `manage.py shell` by test_sqlite_concurrency: one process of web-like or worker-like
writes on the embedded SQLite database, each a transaction that reads before it writes (the
pattern that fails at once with "database is locked" when a read lock cannot be upgraded)."""

import json
import os
import sys
import time

from django.db import OperationalError, transaction
from django.utils import timezone

from studio.models import AuditEvent, GenerationJob
from studio.services.audit import audit_record

role = os.environ["WRITER_ROLE"]
rounds = int(os.environ.get("WRITER_ROUNDS", "40"))
errors: list[str] = []
slowest = 0.0
for n in range(rounds):
    started = time.monotonic()
    try:
        with transaction.atomic():
            AuditEvent.objects.count()  # read first, then write in the same transaction
            if role == "worker":
                GenerationJob.objects.filter(state="rendering").update(heartbeat_at=timezone.now())
            audit_record(f"stress.{role}", details={"n": n, "pid": os.getpid()})
    except OperationalError as error:
        errors.append(str(error))
    slowest = max(slowest, time.monotonic() - started)
print(json.dumps({"role": role, "errors": errors, "slowest": round(slowest, 3)}))
sys.stdout.flush()
