"""The Celery application: every option comes from the CELERY_* Django settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings.base")
# Workers render frame by frame with numpy and OpenCV; threaded BLAS on a small machine makes that
# loop far slower. This must happen before numpy is first imported, which is why it is here.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

app = Celery("signet")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["studio"])
