from django.conf import settings
from django.core.management.base import BaseCommand
from kombu import Queue

from studio.celery_app import app


class Command(BaseCommand):
    help = (
        "Declare the job queues on the broker before its processes start. The embedded SQLite "
        "broker creates a queue's row on first use without a lock across processes: a worker "
        "and beat (or two workers) starting together on a new broker file raced, and the loser "
        "exited with 'UNIQUE constraint failed: kombu_queue.name'."
    )

    def handle(self, *args, **options):
        names = [settings.CELERY_TASK_DEFAULT_QUEUE]
        names += [route["queue"] for route in settings.CELERY_TASK_ROUTES.values()]
        with app.connection_for_write() as connection:
            for name in dict.fromkeys(names):
                Queue(name).bind(connection.default_channel).declare()
        self.stdout.write("broker queues ready: " + ", ".join(dict.fromkeys(names)))
