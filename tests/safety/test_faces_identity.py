"""Identity matching: verdicts on real photos, thresholds, the blocklist gallery, video frames."""

from __future__ import annotations

import json
import threading

import cv2
import numpy as np
import pytest

from safety.faces.analysis import analyze_portrait
from safety.faces.backends import get_face_backend
from safety.faces.frames import faces_match_across_frames
from safety.faces.gallery import closest_gallery_match
from safety.faces.identity import face_verdict, match_identity
from safety.faces.types import IdentityThresholds


def _embedding(analysed, name: str) -> np.ndarray:
    return analysed(name).face.embedding


def test_two_photos_of_the_same_man_are_accepted(faces_dir, dlib_backend):
    verdict = face_verdict(faces_dir / "obama.jpg", faces_dir / "obama2.jpg", backend=dlib_backend)
    assert verdict.decision == "accepted"
    assert verdict.match.decision == "accepted"
    assert verdict.match.distance < 0.45


def test_different_people_are_refused_with_the_distance_explained(faces_dir, dlib_backend):
    verdict = face_verdict(faces_dir / "obama.jpg", faces_dir / "biden.jpg", backend=dlib_backend)
    assert verdict.decision == "refused"
    assert verdict.match.distance > 0.65
    assert f"{verdict.match.distance:.2f}" in verdict.explanation
    assert "different people" in verdict.explanation


def test_verdict_json_is_complete_and_stable(faces_dir, dlib_backend):
    payload = face_verdict(
        (faces_dir / "obama.jpg").read_bytes(), faces_dir / "biden.jpg", backend=dlib_backend
    ).to_dict()
    assert json.loads(json.dumps(payload)) == payload
    assert set(payload) == {
        "schema_version",
        "decision",
        "explanation",
        "backend",
        "selfie",
        "portrait",
        "match",
    }
    assert payload["backend"] == "dlib"
    assert set(payload["selfie"]) == {"image_size", "faces_found", "faces", "problems"}
    assert payload["selfie"]["faces_found"] == 1
    assert set(payload["match"]) == {
        "distance",
        "accept_threshold",
        "reject_threshold",
        "decision",
        "explanation",
    }
    # Biometric vectors never leave the process through this report.
    assert "embedding" not in json.dumps(payload).replace("has_embedding", "")


def test_quality_problem_refuses_even_when_the_faces_match(faces_dir, photo, dlib_backend):
    blurred = cv2.GaussianBlur(photo("obama2.jpg"), (0, 0), 4)
    verdict = face_verdict(faces_dir / "obama.jpg", blurred, backend=dlib_backend)
    assert verdict.decision == "refused"
    assert verdict.portrait.problem_codes == ("too_blurred",)
    assert verdict.explanation.startswith("The faces could not be compared.")
    assert "Portrait: Your face is too blurry" in verdict.explanation
    assert verdict.match is not None  # still shown to moderators
    assert verdict.to_dict()["portrait"]["problems"][0]["code"] == "too_blurred"


def test_unreadable_selfie_gives_no_match(faces_dir, dlib_backend):
    verdict = face_verdict(b"garbage", faces_dir / "obama.jpg", backend=dlib_backend)
    assert verdict.decision == "refused"
    assert verdict.match is None
    assert verdict.to_dict()["match"] is None
    assert "Selfie: We could not read this file" in verdict.explanation


@pytest.mark.parametrize(
    ("distance", "decision"),
    [(0.0, "accepted"), (0.5, "accepted"), (0.55, "review"), (0.6, "refused"), (1.2, "refused")],
)
def test_thresholds_split_distances_into_three_decisions(distance, decision):
    enrolled = np.zeros(128)
    probe = np.zeros(128)
    probe[0] = distance
    match = match_identity(enrolled, probe, IdentityThresholds(accept=0.5, reject=0.6))
    assert match.decision == decision
    assert match.distance == pytest.approx(distance)
    assert f"{distance:.2f}" in match.explanation


def test_review_band_explanation_mentions_a_moderator():
    match = match_identity(np.zeros(3), np.array([0.55, 0, 0]))
    assert match.decision == "review"
    assert "moderator" in match.explanation


def test_inconsistent_inputs_are_rejected():
    with pytest.raises(ValueError):
        IdentityThresholds(accept=0.7, reject=0.6)
    with pytest.raises(ValueError):
        match_identity(np.zeros(128), np.zeros(512))
    with pytest.raises(ValueError):
        match_identity(np.zeros(3), np.array([np.nan, 0, 0]))


def test_gallery_finds_a_blocked_person_in_a_new_photo(photo, analysed, dlib_backend):
    gallery = [
        ("collins", _embedding(analysed, "astronaut.png")),
        ("biden", _embedding(analysed, "biden.jpg")),
    ]
    mirrored = analyze_portrait(
        np.ascontiguousarray(photo("biden.jpg")[:, ::-1]), backend=dlib_backend
    )
    hit = closest_gallery_match(mirrored.face.embedding, gallery, threshold=0.6)
    assert hit is not None and hit[0] == "biden" and hit[1] < 0.3
    assert closest_gallery_match(_embedding(analysed, "obama.jpg"), gallery, threshold=0.6) is None


def test_gallery_edge_cases():
    assert closest_gallery_match(np.zeros(4), [], threshold=1.0) is None
    entries = iter([(1, np.array([1.0, 0, 0, 0])), (2, np.array([0.2, 0, 0, 0]))])
    assert closest_gallery_match(np.zeros(4), entries, threshold=0.5) == (2, pytest.approx(0.2))
    with pytest.raises(ValueError):
        closest_gallery_match(np.zeros(4), [("a", np.zeros(3))], threshold=1.0)


def _webcam_frames(rgb: np.ndarray) -> list[np.ndarray]:
    frame = cv2.resize(rgb, None, fx=640 / max(rgb.shape[:2]), fy=640 / max(rgb.shape[:2]))
    return [
        frame,
        np.ascontiguousarray(frame[:, ::-1]),
        np.clip(frame * 0.8, 0, 255).astype(np.uint8),
    ]


def test_recording_of_the_enrolled_person_matches(photo, analysed, dlib_backend):
    report = faces_match_across_frames(
        _embedding(analysed, "obama.jpg"), _webcam_frames(photo("obama2.jpg")), dlib_backend
    )
    assert report.decision == "accepted" and report.matched
    assert report.accepted_frames == 3 and all(d < 0.5 for d in report.distances)


def test_recording_of_someone_else_is_refused(photo, analysed, dlib_backend):
    report = faces_match_across_frames(
        _embedding(analysed, "obama.jpg"), _webcam_frames(photo("biden.jpg")[:1100]), dlib_backend
    )
    assert report.decision == "refused"
    assert report.refused_frames == 3
    assert "different person" in report.explanation


def test_recording_with_too_few_clear_frames_needs_review(photo, analysed, dlib_backend):
    frames = _webcam_frames(photo("obama2.jpg"))[:2] + [np.full((480, 640, 3), 30, np.uint8)]
    report = faces_match_across_frames(_embedding(analysed, "obama.jpg"), frames, dlib_backend)
    assert report.decision == "review"
    assert report.distances[2] is None and report.frame_problems[2] == ("no_face",)
    assert report.to_dict()["usable_frames"] == 2


def test_recording_without_any_face_is_refused(analysed, dlib_backend):
    frames = [np.full((480, 640, 3), 30, np.uint8)] * 3
    report = faces_match_across_frames(_embedding(analysed, "obama.jpg"), frames, dlib_backend)
    assert report.decision == "refused"
    assert "No frame" in report.explanation


def test_backend_is_built_once_and_safe_to_share_between_threads(photo, analysed, dlib_backend):
    assert get_face_backend() is dlib_backend
    expected = _embedding(analysed, "obama2.jpg")
    results = []

    def work():
        results.append(
            analyze_portrait(photo("obama2.jpg"), backend=get_face_backend()).face.embedding
        )

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 3
    for embedding in results:
        np.testing.assert_allclose(embedding, expected, atol=1e-6)


def test_unknown_backend_name_is_an_error():
    with pytest.raises(ValueError, match="unknown face backend"):
        get_face_backend("facebook")
