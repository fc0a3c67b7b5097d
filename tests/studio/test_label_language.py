"""The visible label in the creator's language: a German page makes videos labelled
"KI-generiert" unless the creator picks "AI-generated", and nothing else can be written there."""

import numpy as np
import pytest

from generation.media import iter_video_frames
from safety.disclosure import DisclosureLabel
from studio.models import GenerationJob
from studio.services.api_tokens import api_token_create
from studio.services.jobs import job_render
from tests.generation.media_factory import face_path
from tests.studio.factories import upload, write_speech

pytestmark = pytest.mark.django_db


def _label_glyphs(frame: np.ndarray, label: DisclosureLabel) -> np.ndarray:
    box = label.box(*frame.shape[:2])
    return frame[box.top : box.bottom, box.left : box.right].mean(axis=2) > 170


def _glyph_overlap(seen: np.ndarray, expected: np.ndarray) -> float:
    return (seen & expected).sum() / (seen | expected).sum()


def _reads(frame: np.ndarray) -> str:
    """Which of the two labels the frame's label box shows, by its glyphs' overlap with each
    drawn on a plain grey frame of the same size (no OCR here)."""
    grey = np.full_like(frame, 128)
    seen = _label_glyphs(frame, DisclosureLabel())
    overlap = {
        language: _glyph_overlap(seen, _label_glyphs(DisclosureLabel(language=language).apply(grey),
                                                     DisclosureLabel()))
        for language in ("en", "de")
    }  # fmt: skip
    best = max(overlap, key=overlap.get)
    assert overlap[best] > 0.6, overlap
    return best


def _submit(creator_client, tmp_path, language_header, **fields):
    response = creator_client.post(
        "/jobs/new/",
        {"portrait": upload(face_path("obama2.jpg")),
         "audio": upload(write_speech(tmp_path / "speech.wav", seconds=1.2)),
         "label_corner": "bottom-right", **fields},
        HTTP_ACCEPT_LANGUAGE=language_header,
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:500]
    return GenerationJob.objects.latest("created_at")


def _first_frame_of(job) -> np.ndarray:
    job_render(job.pk)
    job.refresh_from_db()
    assert job.state == "released", job.failure_reason
    return next(iter(iter_video_frames(job.output.file.path)))


def test_the_form_offers_the_pages_language_first(creator_client):
    german = creator_client.get("/jobs/new/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    english = creator_client.get("/jobs/new/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<option value="de" selected>KI-generiert</option>' in german
    assert '<option value="en" selected>AI-generated</option>' in english


def test_a_german_creators_video_says_ki_generiert(creator_client, tmp_path):
    job = _submit(creator_client, tmp_path, "de")
    assert job.label_language == "de"
    assert _reads(_first_frame_of(job)) == "de"


def test_the_creator_can_pick_the_english_label_on_a_german_page(creator_client, tmp_path):
    job = _submit(creator_client, tmp_path, "de", label_language="en")
    assert _reads(_first_frame_of(job)) == "en"


@pytest.mark.parametrize("forged", ["fr", "none", "AI-free", "<b>x</b>"])
def test_no_other_words_can_be_put_on_the_label(
    creator_client, consented_creator, tmp_path, forged
):
    token = api_token_create(creator=consented_creator, label="script")[1]
    before = GenerationJob.objects.count()
    answer = creator_client.post(
        "/api/v1/jobs",
        {"portrait": upload(face_path("obama2.jpg")),
         "audio": upload(write_speech(tmp_path / "speech.wav", seconds=1.2)),
         "label_language": forged},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"] == ["label_language"]
    assert GenerationJob.objects.count() == before
    page = creator_client.post(
        "/jobs/new/",
        {"portrait": upload(face_path("obama2.jpg")),
         "audio": upload(write_speech(tmp_path / "speech.wav", seconds=1.2)),
         "label_language": forged},
    )  # fmt: skip
    assert page.status_code == 400 and GenerationJob.objects.count() == before
