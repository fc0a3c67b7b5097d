"""Face-quality problems in the reader's language: safety's own words in English, German in de."""

from django.utils import translation

from safety.faces.quality import face_count_problem, unreadable_image
from safety.faces.types import FACE_TOO_SMALL, QualityProblem
from studio.problem_words import quality_problem_words, quality_problems_words


def test_in_english_the_words_are_safetys_own():
    with translation.override("en"):
        for problem in (face_count_problem(0), face_count_problem(3), unreadable_image()):
            assert quality_problem_words(problem) == problem.message


def test_in_german_the_numbers_stay():
    small = QualityProblem(FACE_TOO_SMALL, "Your face is too small…", {"side": 41, "minimum": 80})
    with translation.override("de"):
        assert quality_problem_words(face_count_problem(3)).startswith(
            "Wir haben in diesem Foto 3 Gesichter gefunden."
        )
        words = quality_problems_words([unreadable_image(), small])
    assert words.startswith("Wir konnten diese Datei nicht als Bild lesen.")
    assert "etwa 41 Pixel breit, wir brauchen mindestens 80" in words


def test_an_unknown_problem_keeps_safetys_message():
    problem = QualityProblem("something_new", "Something new is wrong.")
    with translation.override("de"):
        assert quality_problem_words(problem) == "Something new is wrong."
