"""Lip-sync and motion quality of the CPU animator, measured on its decoded output videos.

    .venv/bin/python bench/lipsync_quality.py [--faces obama.jpg,...] [--stride 3] [--json]

Every shared face photo (obama, obama2, biden, astronaut) speaks five clips: English speech,
German speech, plosive-heavy speech, rounded/spread-vowel speech (all espeak-ng, whose
libespeak-ng reports each phoneme's time: tests/generation/espeak_phonemes.py) and a sung clip
(synthetic sustained vowels ah/oo/ee with vibrato, whose timing is known by construction). Each
clip is rendered by the real renderer to an H.264 MP4 (generation.render_job.render_to_file),
decoded again, and dlib's 68 landmarks (safety.faces) are found on every decoded frame.

Figures (the issue's targets in brackets):
- bilabial_closed_fraction [>= 0.90]: of the frames whose centre falls inside a p/b/m lip
  closure (the closure as espeak's audio shows it: the hush before a /p/ burst, a /b/'s voice
  bar, an /m/'s murmur; the frame nearest a closure's middle when none does), the share whose
  inner-lip gap is under 3 % of the brow-to-chin height.
- other_consonants_closed_fraction (no target; the price of the above): the same share on
  frames inside other consonants.
- rounded_spread_width_ratio [<= 0.80]: median mouth-corner width (48-54, over the eye-corner
  distance) on rounded vowels (oo, oh, w, German u/o/ue/oe) over that on spread vowels (ee, i,
  e), per face; the worst face.
- rounded_lip_height_ratio (no target; higher = fuller, protruded lips on rounded vowels):
  the lips' red height at the mouth's middle (upper lip 51 -> 62 plus lower lip 66 -> 57,
  along the face's vertical, over the eye-corner distance) on rounded vowels over spread
  ones, median per face; the smallest face (per face in rounded_lip_height_ratio_per_face).
- open_spread_opening_ratio (no target; real jaws open an ah about twice as far as an ee):
  the median inner-lip gap on open vowels (a, ah, aI) over that on spread vowels, per face;
  the smallest face (per face in open_spread_opening_ratio_per_face).
- lower_lip_thickness_ratio [0.85-1.35 per face]: the lower lip's own vertical thickness
  (outer lower lip 56, 57, 58 to the inner line above it, 65, 66, 67, the three pairs
  averaged, along the face's vertical, over the eye-corner distance) on rounded and open
  vowels over that on the still crop (dlib on it, at rest), median per face; the face furthest
  from 1 (per face in lower_lip_thickness_ratio_per_face). A real lower lip moves down with the
  jaw and keeps roughly its thickness: the extra opening is mouth interior. Three pairs
  rather than the centre pair alone, because a single dlib point on a lip's edge wanders by a
  pixel or two between frames; the polygon area over the mouth width would mix in the corners,
  which round inwards on an oo and would read as a change in thickness.
- lower_lip_seam_share (no target; 0 = the lip meets the teeth or the mouth cleanly) and
  lower_lip_edge_jaggedness_px (no target; lower = a smoother edge): the lower lip's upper
  edge on spread and open vowels (ee, aa), where a smiling photo's teeth show over it. On
  each such frame, per pixel column between dlib's inner mouth corners (60, 64; 8 % of the
  span left off at each end), the column is scanned upwards from the lip's body (halfway
  between dlib's inner and outer lower-lip lines) until two pixels in a row are darker than
  0.82 or brighter than 1.25 x the lip's brightness in that column (the median of the
  middle third of its thickness; 3 px averaged along the lip): the lip's edge, found from
  the pixels, since dlib's inner line on these frames sits now on the lip, now on a dark
  band above it. Seam share: the share of columns whose lip ends in a dark run at most 3 px
  tall with lip or tooth above it again (a thin dark line along the lip's top; the mouth's
  interior above a parted lip is dark further up). Jaggedness: the mean size of the edge's
  second difference (row per column) over neighbouring columns, in px of the 512 px frame
  (a lip's edge is a smooth curve, whose slope hardly changes from column to column). Both the mean over a face's
  ee/aa frames, the worst face (per face in the *_per_face lists).
- spread_lip_seam_share (no target; 0 = no thin dark line under the teeth on ee): the seam
  share above on spread-vowel frames alone, where the jaw parts the lower lip from a smiling
  photo's upper teeth by a few pixels; the mean over a face's ee frames, the worst face (per
  face in spread_lip_seam_share_per_face).
- snaps_per_second [<= 0.2]: frame-to-frame changes of the inner-lip gap larger than half its
  range in that clip (1st-99th percentile: the range, short of a stray landmark), except
  openings within 60 ms of a stop's release (the burst: the start of espeak's p, t, k, d, g
  events, the end of a b's closure as found below).
- silence_mouth_closed_fraction [1.0]: frames at least 80 ms from any phoneme, lips closed.
- mouth_loudness_correlation_min [>= 0.7]: Pearson correlation of the inner-lip gap with the
  audio's RMS level (dB per frame, computed here), the worst clip of any face.
- halo_pixels [0]: pixels outside the head hull dilated by 4 px whose colour differs by more
  than 24 levels from the clip's first frame in any frame, the worst clip, in the frames the
  renderer hands to the encoder; halo_pixels_decoded: the same in the decoded MP4, where
  H.264's own noise next to the moving chin can add a stray pixel (one at 25 levels in one
  frame of biden.jpg's clips on 2026-12-04, unchanged in the rendered frame). The hull:
  the still crop's 68 landmarks, the brows raised by 0.3 x brow-to-chin height (forehead), and
  the jaw points 4-12 lowered by 0.25 x that height (the chin's travel as the mouth opens
  and closes, and the neck just under it that stretches with it).
- yaw_range_degrees [>= 6], pitch_range_degrees: 2nd-98th percentile range of the head pose
  read from each decoded frame by cv2.solvePnP (six landmarks on a generic 3-D face), the
  smallest over clips longer than 4 s (each clip's commanded range is printed beside it).
- identity_max_distance [<= accept_threshold]: dlib embedding distance of every --stride-th
  decoded frame to the photo itself, the worst frame.
- animator_fps_median [>= 25]: frames per second of the renderer alone at 512x512 (setup and
  speech analysis included), per CPU second of this single-threaded process.
- gaze_shift_eye_widths, gaze_steady_eye_widths, gaze_direction_agreement: where the iris
  is, read from each decoded frame: the centroid of the darkest quarter of the pixels inside
  dlib's eye polygon (36-41, 42-47) of the still photo (one pixel in from its edge), placed on the frame by its eye
  corners as below (the polygon dlib finds on the frame itself follows the iris: 1.5-3.5 px
  on renders of a turned gaze), along the line through the eye's corners, from the corners'
  midpoint, in eye widths (corner to corner), both eyes averaged.
  Per clip, a line in the planned yaw fitted to the frames whose planned gaze is at the
  centre is the baseline (the reading drifts with the head's turn); the figures are the
  median distance from that baseline on frames held at a planned
  sideways gaze of at least 0.06 half-widths (shift) and on frames at the centre (steady: the
  reading's own noise), and the share of shifted frames that moved the planned way.
  gaze_planned_eye_widths: the median planned offset on those frames (gaze x 0.5).
  Frames within 0.1 s of a blink are left out.
- shut_eye_white_fraction [~0]: on frames whose planned blink is 1 (shut), the share of
  pixels inside the still photo's eye polygons - placed on the frame by the similarity that
  takes the still's eye corners (36, 39, 42, 45) onto the corners dlib finds on the frame -
  that are eye-white: saturation under half and brightness over 0.6 of the cheeks' skin
  (HSV medians of two cheek patches); the mean over those frames and the worst one.
  eye_white_fraction_open: the same share on the still photo, for scale.

Saves bench/out/lipsync_visemes.png: the mouth at p/b/m, oo, ee and aa moments for each face.
"""

from __future__ import annotations

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generation.media import DecodedAudio, iter_video_frames, load_image_rgb  # noqa: E402
from generation.render_job import render_to_file  # noqa: E402
from generation.renderers import RenderRequest, get_renderer  # noqa: E402
from generation.renderers.base import crop_portrait  # noqa: E402
from safety.faces import get_face_backend  # noqa: E402
from safety.faces.identity import DLIB_THRESHOLDS, embedding_distance  # noqa: E402
from tests.generation import espeak_phonemes as espeak  # noqa: E402
from tests.generation import face_helpers, media_factory  # noqa: E402

FACES = ("obama.jpg", "obama2.jpg", "biden.jpg", "astronaut.png")
# Contact sheet tiles: the middle frame of each class's longest phoneme over all clips, so the
# oo tile is a held /u:/ ("moon"), not the first rounded event (the diphthong of "hello");
# sung clips are left out of the sheet.
SHEET_VISEMES = (("pbm", "bilabial"), ("oo", "rounded"), ("ee", "spread"), ("aa", "open"))
FPS = 25
RATE = 16_000
PAUSE = 0.6
CLOSED_OPENING = 0.03
HALO_LEVELS = 24
HALO_FEATHER_PX = 4
OUT_DIR = ROOT / "bench" / "out"
# A generic face (mm): nose tip, chin, eye outer corners, mouth corners. x right, y up, z out.
MODEL_POINTS = np.array([
    (0.0, 0.0, 0.0), (0.0, -63.6, -12.5), (-43.3, 32.7, -26.0), (43.3, 32.7, -26.0),
    (-28.9, -28.9, -24.1), (28.9, -28.9, -24.1)], dtype=np.float64)
MODEL_LANDMARKS = [30, 8, 36, 45, 48, 54]
EYES = (list(range(36, 42)), list(range(42, 48)))
EYE_CORNERS = [36, 39, 42, 45]
# The iris: this darkest share of the pixels inside the eye polygon.
IRIS_SHARE = 0.25
# Eye-white: saturation under this share of the skin's, brightness over this share of it.
WHITE_SATURATION_SHARE = 0.5
WHITE_VALUE_SHARE = 0.6
# Planned sideways gaze (half-widths) from which a frame counts as shifted.
GAZE_SHIFTED = 0.06
# The lower lip's upper edge (lower_lip_seam_share, lower_lip_edge_jaggedness_px): the
# columns between the inner corners, less this share of the span at each end (dlib's inner
# corners wander most); the search reaches this share of the lip's thickness above dlib's
# inner line; the lip ends at the first two pixels darker or brighter than these shares of
# its brightness in that column; a dark run at most SEAM_PX tall (px of the 512 px frame)
# with lit pixels above it is a seam.
SEAM_CORNER_SHARE = 0.08
SEAM_SEARCH_ABOVE = 0.6
SEAM_DARK = 0.82
SEAM_BRIGHT = 1.25
SEAM_PX = 3


def _pause(seconds: float = PAUSE) -> np.ndarray:
    return np.zeros(int(seconds * RATE), dtype=np.float32)


def _say(text: str, voice: str = "en") -> espeak.TimedSpeech:
    speech = espeak.speak(text, voice=voice)
    if speech is None:
        raise SystemExit("libespeak-ng is needed for this benchmark (apt-get install espeak-ng)")
    return speech


def clips() -> dict[str, espeak.TimedSpeech]:
    def with_pauses(*parts):
        joined: list = [_pause()]
        for part in parts:
            joined += [part, _pause()]
        return espeak.concatenate(joined)

    return {
        "speech": with_pauses(_say("Hello everyone, thank you for coming."),
                              _say("Who knows what tomorrow brings?")),
        "german": with_pauses(_say("Guten Morgen, wie geht es Ihnen?", "de"),
                              _say("Ich möchte ein Brot mit Butter, bitte.", "de")),
        "plosive": with_pauses(_say("Papa bought a map, and maybe a boat."),
                               _say("Bob put the big pump by the pipe.")),
        "rounded": with_pauses(_say("Who knew? Sue blew the blue moon soon."),
                               _say("We see three sheep eat cheese, Eve.")),
        "sung": media_factory.sung_vowels(),
    }


def opening_of(landmarks: np.ndarray) -> float:
    gap = np.mean([landmarks[66, 1] - landmarks[62, 1], landmarks[67, 1] - landmarks[61, 1],
                   landmarks[65, 1] - landmarks[63, 1]])
    height = landmarks[8, 1] - min(landmarks[19, 1], landmarks[24, 1])
    return float(max(gap, 0.0) / max(height, 1.0))


def width_of(landmarks: np.ndarray) -> float:
    return float(np.linalg.norm(landmarks[54] - landmarks[48])
                 / max(np.linalg.norm(landmarks[45] - landmarks[36]), 1.0))


def lip_height_of(landmarks: np.ndarray) -> float:
    """Red height of both lips at the mouth's middle (outer to inner line, upper plus lower,
    the opening left out) over the eye-corner distance."""
    return float(max(landmarks[62, 1] - landmarks[51, 1] + landmarks[57, 1] - landmarks[66, 1],
                     0.0) / max(np.linalg.norm(landmarks[45] - landmarks[36]), 1.0))


def lower_lip_thickness_of(landmarks: np.ndarray) -> float:
    """The lower lip's red thickness (see the module's docstring) over the eye-corner
    distance, measured along the face's vertical so that a tilted head does not shorten it."""
    eyes = landmarks[45] - landmarks[36]
    width = max(float(np.linalg.norm(eyes)), 1.0)
    down = np.array([-eyes[1], eyes[0]]) / width
    outer, inner = landmarks[[56, 57, 58]], landmarks[[65, 66, 67]]
    return float(max(np.mean((outer - inner) @ down), 0.0) / width)


def lower_lip_edge(frame: np.ndarray, landmarks: np.ndarray) -> tuple[float, float] | None:
    """(seam share, edge jaggedness in px) of the lower lip's upper edge on one frame, or
    None where the lip is too thin or narrow to read (see the module's docstring).

    The edge is found from the lip's own pixels, not taken from dlib's inner line: on these
    frames dlib puts that line sometimes on the lip, sometimes on the dark band above it, and
    a figure read along it would measure dlib. Only the lip's body (the middle of dlib's
    inner-to-outer span, well inside either line) and the columns between the inner corners
    are taken from dlib. The scan goes up from the body because the body is the one part
    that is surely lip; thresholds relative to the lip's own brightness in that column keep
    the figure the same on a dark and a light face, and under light that falls off towards
    the corners. A seam is told from the mouth's interior (dark too, above a parted lip) by
    its height: a thin dark run with lip or tooth again just above it."""
    # Averaged over 3 px along the lip (not across it, which would blur the edge itself):
    # the lip's own grain then stops no column's scan.
    luma = cv2.blur(cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY).astype(np.float64), (3, 1))
    inner = landmarks[[60, 67, 66, 65, 64]].astype(np.float64)
    outer = landmarks[[48, 59, 58, 57, 56, 55, 54]].astype(np.float64)
    if np.any(np.diff(inner[:, 0]) <= 0) or np.any(np.diff(outer[:, 0]) <= 0):
        return None
    left, right = inner[0, 0], inner[-1, 0]
    margin = SEAM_CORNER_SHARE * (right - left)
    xs = np.arange(int(np.ceil(left + margin)), int(np.floor(right - margin)) + 1)
    if len(xs) < 12:
        return None
    top = np.interp(xs, inner[:, 0], inner[:, 1])
    thickness = np.interp(xs, outer[:, 0], outer[:, 1]) - top
    if np.median(thickness) < 4.0:
        return None
    edges, seams = [], 0
    for x, t, h in zip(xs, top, thickness, strict=True):
        start = int(round(t + 0.5 * h))
        stop = max(int(round(t - SEAM_SEARCH_ABOVE * h)) - 2, 0)
        lip = float(np.median(luma[int(round(t + 0.35 * h)):int(round(t + 0.65 * h)) + 1, x]))
        column = luma[stop:start + 1, x][::-1]  # upwards from the lip's body
        edge, seam = face_helpers.lip_top_in_column(column, lip, dark=SEAM_DARK,
                                                    bright=SEAM_BRIGHT, seam_samples=SEAM_PX)
        if edge is None:
            continue
        edges.append((x, start - edge))
        seams += seam
    if len(edges) < 0.6 * len(xs):
        return None
    columns, rows = np.array(edges, dtype=np.float64).T
    # A smooth lip line bends slowly: from one column to the next its slope hardly changes,
    # while a ragged edge's row jumps up and down. The mean size of the change of slope
    # (second difference) over runs of neighbouring columns is that raggedness; unlike a
    # fit's residual, it is not raised by the edge's shape across the whole mouth (a step
    # where the teeth end is two jumps, not a misfit curve).
    neighbours = np.diff(columns) == 1
    bends = np.abs(np.diff(rows, 2))[neighbours[:-1] & neighbours[1:]]
    jagged = float(bends.mean()) if len(bends) else float("nan")
    return seams / len(edges), jagged


def head_hull_mask(landmarks: np.ndarray, size: int) -> np.ndarray:
    """The head hull (see the module's docstring), dilated by the allowed feather."""
    eyes = (landmarks[36:42].mean(axis=0), landmarks[42:48].mean(axis=0))
    angle = np.arctan2(*(eyes[1] - eyes[0])[::-1])
    down = np.array([-np.sin(angle), np.cos(angle)])
    height = np.dot(landmarks[8] - landmarks[17:27].mean(axis=0), down)
    points = np.vstack([landmarks, landmarks[17:27] - 0.3 * height * down,
                        landmarks[4:13] + 0.25 * height * down])
    mask = np.zeros((size, size), dtype=np.uint8)
    cv2.fillPoly(mask, [cv2.convexHull(np.round(points).astype(np.int32))], 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * HALO_FEATHER_PX + 1,) * 2)
    return cv2.dilate(mask, kernel)


def head_pose(landmarks: np.ndarray, size: int) -> tuple[float, float]:
    """(yaw, pitch) in degrees from six landmarks and the generic face."""
    focal = float(size)
    camera = np.array([[focal, 0, size / 2], [0, focal, size / 2], [0, 0, 1]], dtype=np.float64)
    image_points = landmarks[MODEL_LANDMARKS].astype(np.float64)
    model = MODEL_POINTS * (1.0, -1.0, -1.0)  # image axes: y down, z into the scene
    ok, rotation, _ = cv2.solvePnP(model, image_points, camera, None,
                                   flags=cv2.SOLVEPNP_ITERATIVE)
    if not ok:
        return float("nan"), float("nan")
    matrix, _ = cv2.Rodrigues(rotation)
    yaw = np.degrees(np.arcsin(np.clip(-matrix[2, 0], -1.0, 1.0)))
    pitch = np.degrees(np.arctan2(matrix[2, 1], matrix[2, 2]))
    return float(yaw), float(pitch)


def skin_hsv(image: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """Median HSV of two cheek patches (between the jaw and the nose's wings)."""
    hsv = cv2.cvtColor(image, cv2.COLOR_RGB2HSV)
    radius = max(3, int(0.02 * image.shape[0]))
    patches = []
    for jaw, nose in ((2, 31), (14, 35)):
        x, y = np.round((landmarks[jaw] + landmarks[nose]) / 2).astype(int)
        patches.append(hsv[y - radius:y + radius, x - radius:x + radius].reshape(-1, 3))
    return np.median(np.vstack(patches), axis=0).astype(np.float64)


def polygon_mask(polygon: np.ndarray, size: int) -> np.ndarray:
    mask = np.zeros((size, size), dtype=np.uint8)
    cv2.fillPoly(mask, [np.round(polygon).astype(np.int32)], 1)
    return mask > 0


def eye_white_share(frame: np.ndarray, polygons, skin: np.ndarray) -> float:
    """Share of the pixels inside the polygons that look like the white of an eye: bright
    and unsaturated against the face's own skin."""
    hsv = cv2.cvtColor(frame, cv2.COLOR_RGB2HSV).astype(np.float64)
    white = ((hsv[..., 1] < WHITE_SATURATION_SHARE * skin[1])
             & (hsv[..., 2] > WHITE_VALUE_SHARE * skin[2]))
    inside = np.zeros(white.shape, dtype=bool)
    for polygon in polygons:
        inside |= polygon_mask(polygon, frame.shape[0])
    return float(white[inside].mean()) if inside.any() else float("nan")


def placed_eye_polygons(still: np.ndarray, found: np.ndarray | None) -> list[np.ndarray]:
    """The still photo's eye polygons, moved with the head onto this frame (a shut eye's own
    landmarks collapse; its corners do not)."""
    polygons = [still[eye] for eye in EYES]
    if found is None:
        return polygons
    matrix, _ = cv2.estimateAffinePartial2D(still[EYE_CORNERS].astype(np.float32),
                                            found[EYE_CORNERS].astype(np.float32))
    if matrix is None:
        return polygons
    return [polygon @ matrix[:, :2].T + matrix[:, 2] for polygon in polygons]


def iris_offset(frame: np.ndarray, polygons) -> float:
    """Where the iris sits between the eye's corners: the darkest pixels' centroid along the
    corner-to-corner line, from its middle, in eye widths; both eyes averaged."""
    luma = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY).astype(np.float64)
    offsets = []
    for polygon in polygons:
        # One pixel in from the polygon's edge: the lash line along its top is as dark as the
        # iris and does not move with it.
        mask = cv2.erode(polygon_mask(polygon, frame.shape[0]).astype(np.uint8),
                         np.ones((3, 3), np.uint8))
        ys, xs = np.nonzero(mask)
        if len(xs) < 8:
            continue
        values = luma[ys, xs]
        dark = values <= np.percentile(values, 100 * IRIS_SHARE)
        centroid = np.array([xs[dark].mean(), ys[dark].mean()])
        first, last = polygon[0], polygon[3]
        axis = last - first
        width = float(np.linalg.norm(axis))
        offsets.append(float(np.dot(centroid - (first + last) / 2, axis / width) / width))
    return float(np.mean(offsets)) if offsets else float("nan")


def gaze_figures(offsets: np.ndarray, gaze: np.ndarray, blink: np.ndarray, yaw: np.ndarray
                 ) -> dict:
    """Per clip: the iris readings' distances from the centre-gaze baseline on shifted and on
    steady frames, and whether each shifted frame moved the planned way. The reading drifts
    with the head's yaw (the turn moves the eye's middle against its corners: about 0.007
    eye widths a degree on biden.jpg), so the baseline is a line in the planned yaw fitted
    to the centre-gaze frames."""
    near_blink = np.convolve(blink > 0.01, np.ones(2 * int(0.1 * FPS) + 1), "same") > 0
    usable = ~np.isnan(offsets) & ~near_blink
    sideways = gaze[:, 0]
    centre = usable & (np.abs(gaze).max(axis=1) < 0.005)
    shifted = usable & (np.abs(sideways) >= GAZE_SHIFTED)
    if centre.sum() < 10:
        return {"gaze_shift": [], "gaze_steady": [], "gaze_agree": [], "gaze_planned": []}
    slope, intercept = np.polyfit(yaw[centre], offsets[centre], 1)
    moved = offsets - (intercept + slope * yaw)
    return {
        "gaze_shift": list(np.abs(moved[shifted])),
        "gaze_steady": list(np.abs(moved[centre])),
        "gaze_agree": [bool(a) for a in np.sign(moved[shifted]) == np.sign(sideways[shifted])],
        "gaze_planned": list(0.5 * np.abs(sideways[shifted])),
    }


def loudness_db(samples: np.ndarray, frames: int) -> np.ndarray:
    hop = RATE // FPS
    padded = np.zeros(frames * hop, dtype=np.float64)
    usable = min(len(padded), len(samples))
    padded[:usable] = samples[:usable]
    level = 10 * np.log10((padded.reshape(frames, hop) ** 2).mean(axis=1) + 1e-12)
    return np.maximum(level, level.max() - 45.0)


def frame_times(count: int) -> np.ndarray:
    return (np.arange(count) + 0.5) / FPS


def frames_within(start: float, end: float, count: int) -> list[int]:
    centres = frame_times(count)
    inside = np.flatnonzero((centres >= start) & (centres < end))
    if len(inside):
        return list(inside)
    return [int(np.clip(round((start + end) / 2 * FPS - 0.5), 0, count - 1))]


class _ChangeRecorder:
    """The renderer, passing its frames on to the encoder and recording, on the way, which
    pixels ever differ from its first frame by more than HALO_LEVELS (the animator's own
    changes, before H.264 adds its noise)."""

    def __init__(self, renderer) -> None:
        self._renderer = renderer
        self.name, self.version = renderer.name, renderer.version
        self.changed: np.ndarray | None = None

    def frame_count(self, request) -> int:
        return self._renderer.frame_count(request)

    def frames(self, request):
        first = None
        for frame in self._renderer.frames(request):
            if first is None:
                first = frame.astype(np.int16)
                self.changed = np.zeros(frame.shape[:2], dtype=bool)
            self.changed |= np.abs(frame.astype(np.int16) - first).max(axis=2) > HALO_LEVELS
            yield frame


def measure_clip(face: str, image, still_landmarks, reference, clip_name: str,
                 speech: espeak.TimedSpeech, backend, stride: int, workdir: Path) -> dict:
    landmarks_in_photo = still_landmarks
    request = RenderRequest(portrait_rgb=image, landmarks=landmarks_in_photo,
                            audio=DecodedAudio.from_samples(speech.samples, RATE), fps=FPS)
    renderer = get_renderer("animator")
    commanded = renderer.motion(request)
    path = workdir / f"{Path(face).stem}-{clip_name}.mp4"
    crop = crop_portrait(image, landmarks_in_photo, request.size)
    hull = head_hull_mask(crop.landmarks, request.size) > 0
    rendered = _ChangeRecorder(renderer)
    render_to_file(rendered, request, path)

    openings, widths, yaws, pitches, distances, sheet_frames = [], [], [], [], [], {}
    lip_heights, lower_lips, lip_edges = [], [], []
    # The rest thickness is read by dlib from the still crop itself, the same way and at the
    # same size as on the frames (the photo's landmarks, found at another scale, differ a little).
    at_rest = backend.detect(crop.image)
    rest_lower_lip = lower_lip_thickness_of(
        np.asarray(at_rest[0].landmarks) if len(at_rest) == 1 else crop.landmarks)
    # Plans made before the gaze existed have none: the eyes stay at the centre.
    gaze = getattr(commanded, "gaze", np.zeros((len(commanded), 2), dtype=np.float32))
    skin = skin_hsv(crop.image, crop.landmarks)
    shut = set(np.flatnonzero(commanded.blink >= 0.999).tolist())
    irises, shut_whites = [], []
    first = None
    changed = np.zeros((request.size, request.size), dtype=bool)
    decoded = list(iter_video_frames(path))
    for index, frame in enumerate(decoded):
        if first is None:
            first = frame.astype(np.int16)
        changed |= np.abs(frame.astype(np.int16) - first).max(axis=2) > HALO_LEVELS
        found = backend.detect(frame)
        if index in shut:
            points = np.asarray(found[0].landmarks) if len(found) == 1 else None
            shut_whites.append(eye_white_share(
                frame, placed_eye_polygons(crop.landmarks, points), skin))
        if len(found) != 1:
            irises.append(np.nan)
            openings.append(np.nan)
            widths.append(np.nan)
            lip_heights.append(np.nan)
            lower_lips.append(np.nan)
            lip_edges.append(None)
            yaws.append(np.nan)
            pitches.append(np.nan)
            continue
        points = np.asarray(found[0].landmarks)
        irises.append(iris_offset(frame, placed_eye_polygons(crop.landmarks, points)))
        openings.append(opening_of(points))
        widths.append(width_of(points))
        lip_heights.append(lip_height_of(points))
        lower_lips.append(lower_lip_thickness_of(points) / max(rest_lower_lip, 1e-6))
        lip_edges.append(lower_lip_edge(frame, points))
        yaw, pitch = head_pose(points, request.size)
        yaws.append(yaw)
        pitches.append(pitch)
        if index % stride == 0:
            distances.append(embedding_distance(backend.embed(frame, found[0]), reference))
    count = len(decoded)
    openings, widths = np.array(openings), np.array(widths)
    closed = openings < CLOSED_OPENING

    bilabial, other, rounded, spread = [], [], [], []
    open_openings, spread_openings = [], []
    rounded_lips, spread_lips, lower_lip_ratios = [], [], []
    seam_shares, edge_jaggedness, spread_seams = [], [], []
    for start, end, _ in espeak.lip_closures(speech):
        bilabial += [bool(closed[i]) for i in frames_within(start, end, count)
                     if not np.isnan(openings[i])]
    releases = espeak.stop_releases(speech)
    for phoneme in speech.phonemes:
        kind = espeak.phoneme_class(phoneme.symbol)
        core = phoneme.symbol.strip("'\",%=")
        inside = [i for i in frames_within(phoneme.start, phoneme.end, count)
                  if not np.isnan(openings[i])]
        if kind in ("rounded", "open"):
            lower_lip_ratios += [lower_lips[i] for i in inside]
        if kind in ("spread", "open"):
            read = [lip_edges[i] for i in inside if lip_edges[i] is not None]
            seam_shares += [share for share, _ in read]
            edge_jaggedness += [jagged for _, jagged in read]
            if kind == "spread":
                spread_seams += [share for share, _ in read]
        if kind == "rounded":
            rounded += [widths[i] for i in inside]
            rounded_lips += [lip_heights[i] for i in inside]
        elif kind == "spread":
            spread += [widths[i] for i in inside]
            spread_lips += [lip_heights[i] for i in inside]
            spread_openings += [openings[i] for i in inside]
        elif kind == "open":
            open_openings += [openings[i] for i in inside]
        elif kind == "other" and core not in ("_", "_:", ";", "") and core not in espeak.STOPS:
            other += [bool(closed[i]) for i in inside]
        held = phoneme.end - phoneme.start
        for label, wanted in SHEET_VISEMES:
            if kind == wanted and inside and held > sheet_frames.get(label, (0.0,))[0]:
                sheet_frames[label] = (held, inside[len(inside) // 2])

    # Silence: at least 80 ms away from every phoneme.
    centres = frame_times(count)
    near = np.zeros(count, dtype=bool)
    for phoneme in speech.phonemes:
        near |= (centres > phoneme.start - 0.08) & (centres < phoneme.end + 0.08)
    silent = ~near & ~np.isnan(openings)

    valid = ~np.isnan(openings)
    level = loudness_db(speech.samples, count)
    correlation = float(np.corrcoef(openings[valid], level[valid])[0, 1])

    series = np.where(valid, openings, np.nan)
    span = np.nanpercentile(series, 99) - np.nanpercentile(series, 1)
    snaps = 0
    for index in range(count - 1):
        step = series[index + 1] - series[index]
        if np.isnan(step) or abs(step) <= 0.5 * span or span <= 0:
            continue
        t0, t1 = centres[index] - 0.06, centres[index + 1] + 0.06
        if step > 0 and any(t0 <= r <= t1 for r in releases):
            continue
        snaps += 1

    def pose_range(values, commanded_values) -> tuple[float, float]:
        values = np.array(values)
        values = values[~np.isnan(values)]
        measured = float(np.percentile(values, 98) - np.percentile(values, 2))
        planned = float(np.degrees(np.ptp(commanded_values)))
        return measured, planned

    yaw_range, yaw_planned = pose_range(yaws, commanded.head_yaw)
    pitch_range, pitch_planned = pose_range(pitches, commanded.head_pitch)
    return {
        "face": face,
        "clip": clip_name,
        "seconds": count / FPS,
        "undetected": int((~valid).sum()),
        "bilabial": bilabial,
        "other": other,
        "rounded": rounded,
        "spread": spread,
        "rounded_lips": rounded_lips,
        "spread_lips": spread_lips,
        "open_openings": open_openings,
        "lower_lip_ratios": lower_lip_ratios,
        "seam_shares": seam_shares,
        "spread_seams": spread_seams,
        "edge_jaggedness": edge_jaggedness,
        "spread_openings": spread_openings,
        "silence_closed": [bool(c) for c in closed[silent]],
        "correlation": correlation,
        "snaps": snaps,
        "halo": int((rendered.changed & ~hull).sum()),
        "halo_decoded": int((changed & ~hull).sum()),
        "yaw_range": yaw_range,
        "yaw_planned": yaw_planned,
        "pitch_range": pitch_range,
        "pitch_planned": pitch_planned,
        "identity_max": float(max(distances)) if distances else float("nan"),
        **gaze_figures(np.array(irises), gaze[:count], commanded.blink[:count],
                       np.degrees(commanded.head_yaw[:count])),
        "shut_whites": shut_whites,
        "open_whites": eye_white_share(crop.image, [crop.landmarks[e] for e in EYES], skin),
        "sheet": {label: (held, decoded[i]) for label, (held, i) in sheet_frames.items()},
        "sheet_landmarks": crop.landmarks,
    }


def ratio_of_medians(results: list[dict], faces: list[str], key: str,
                     over_key: str) -> list[float]:
    """Per face: the median of one figure (rounded vowels' width, say) over the median of
    another (spread vowels' width)."""
    ratios = []
    for face in faces:
        rows = [r for r in results if r["face"] == face]
        values = [v for r in rows for v in r[key]]
        over = [v for r in rows for v in r[over_key]]
        if values and over:
            ratios.append(float(np.median(values) / max(np.median(over), 1e-6)))
    return ratios


def time_animator(image, landmarks, speech: espeak.TimedSpeech, runs: int) -> float:
    request = RenderRequest(portrait_rgb=image, landmarks=landmarks,
                            audio=DecodedAudio.from_samples(speech.samples, RATE), fps=FPS)
    figures = []
    for _ in range(runs):
        # CPU time of this process (one thread: BLAS and OpenCV are held to one), so the
        # figure is per core even on a machine busy with other work.
        started = time.process_time()
        count = sum(1 for _ in get_renderer("animator").frames(request))
        figures.append(count / (time.process_time() - started))
    return statistics.median(figures)


def mouth_tile(frame: np.ndarray, landmarks: np.ndarray, label: str) -> np.ndarray:
    mouth = landmarks[48:68]
    centre = mouth.mean(axis=0)
    half = int(max(np.ptp(mouth[:, 0]), 40) * 0.65)
    x0, y0 = int(centre[0]) - half, int(centre[1]) - half
    tile = frame[max(y0, 0):y0 + 2 * half, max(x0, 0):x0 + 2 * half]
    tile = np.ascontiguousarray(cv2.resize(tile, (200, 200), interpolation=cv2.INTER_CUBIC))
    cv2.putText(tile, label, (4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 0), 1)
    return tile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faces", default=",".join(FACES))
    parser.add_argument("--clips", default="speech,german,plosive,rounded,sung")
    parser.add_argument("--stride", type=int, default=3, help="embed every n-th frame")
    parser.add_argument("--fps-runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    backend = get_face_backend()
    all_clips = clips()
    chosen = {name: all_clips[name] for name in args.clips.split(",")}

    results, fps_runs, sheet_rows = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for face in args.faces.split(","):
            image = load_image_rgb(media_factory.face_path(face))
            faces = backend.detect(image)
            if len(faces) != 1:
                raise SystemExit(f"expected one face in {face}")
            landmarks = np.asarray(faces[0].landmarks)
            reference = backend.embed(image, faces[0])
            row, held_longest = {}, {}
            for clip_name, speech in chosen.items():
                result = measure_clip(face, image, landmarks, reference, clip_name, speech,
                                      backend, args.stride, Path(tmp))
                results.append(result)
                for label, (held, frame) in result["sheet"].items():
                    # A sung note outlasts every spoken vowel; the tiles show speech.
                    if clip_name != "sung" and held > held_longest.get(label, 0.0):
                        held_longest[label] = held
                        row[label] = mouth_tile(frame, result["sheet_landmarks"],
                                                f"{Path(face).stem} {label}")
            sheet_rows.append(np.hstack([row.get(k, np.zeros((200, 200, 3), np.uint8))
                                         for k, _ in SHEET_VISEMES]))
            fps_runs.append(time_animator(image, landmarks, chosen[next(iter(chosen))],
                                          args.fps_runs))

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    sheet_path = OUT_DIR / "lipsync_visemes.png"
    cv2.imwrite(str(sheet_path), cv2.cvtColor(np.vstack(sheet_rows), cv2.COLOR_RGB2BGR))

    def share(key: str, rows=results) -> float:
        values = [v for r in rows for v in r[key]]
        return float(np.mean(values)) if values else float("nan")

    face_names = args.faces.split(",")
    ratios = ratio_of_medians(results, face_names, "rounded", "spread")
    lip_ratios = ratio_of_medians(results, face_names, "rounded_lips", "spread_lips")
    # How much further an ah opens than an ee (the lips' opening, dlib's inner-lip gap).
    open_ratios = ratio_of_medians(results, face_names, "open_openings", "spread_openings")

    def median_of(key: str, rows=results) -> float | None:
        values = [v for r in rows for v in r[key]]
        return round(float(np.median(values)), 4) if values else None

    lower_lip_ratios = [median_of("lower_lip_ratios", [r for r in results if r["face"] == face])
                        for face in face_names]
    measured_lower_lips = [r for r in lower_lip_ratios if r is not None]
    # Per face, the mean over its ee/aa frames (a seam that shows on a third of them is a
    # third as bad as one on every frame), the worst face as the figure.
    def per_face_mean(key: str) -> list[float | None]:
        found = []
        for face in face_names:
            values = [v for r in results if r["face"] == face for v in r[key]]
            found.append(round(float(np.mean(values)), 3) if values else None)
        return found

    seam_shares = per_face_mean("seam_shares")
    spread_seams = per_face_mean("spread_seams")
    edge_jaggedness = per_face_mean("edge_jaggedness")

    seconds = sum(r["seconds"] for r in results)
    long_clips = [r for r in results if r["seconds"] >= 4.0] or results
    figures = {
        "bilabial_closed_fraction": round(share("bilabial"), 3),
        "rounded_spread_width_ratio": round(max(ratios), 3) if ratios else None,
        "snaps_per_second": round(sum(r["snaps"] for r in results) / seconds, 3),
        "silence_mouth_closed_fraction": round(share("silence_closed"), 3),
        "mouth_loudness_correlation_min": round(min(r["correlation"] for r in results), 3),
        "halo_pixels": max(r["halo"] for r in results),
        "halo_pixels_decoded": max(r["halo_decoded"] for r in results),
        "yaw_range_degrees": round(min(r["yaw_range"] for r in long_clips), 2),
        "pitch_range_degrees": round(min(r["pitch_range"] for r in long_clips), 2),
        "identity_max_distance": round(max(r["identity_max"] for r in results), 3),
        "accept_threshold": DLIB_THRESHOLDS.accept,
        "animator_fps_median": round(statistics.median(fps_runs), 1),
        "other_consonants_closed_fraction": round(share("other"), 3),
        "undetected_frames": sum(r["undetected"] for r in results),
        "rounded_spread_width_ratio_per_face": [round(r, 3) for r in ratios],
        "rounded_lip_height_ratio": round(min(lip_ratios), 3) if lip_ratios else None,
        "rounded_lip_height_ratio_per_face": [round(r, 3) for r in lip_ratios],
        "open_spread_opening_ratio": round(min(open_ratios), 3) if open_ratios else None,
        "open_spread_opening_ratio_per_face": [round(r, 3) for r in open_ratios],
        "lower_lip_thickness_ratio": (max(measured_lower_lips, key=lambda r: abs(np.log(r)))
                                      if measured_lower_lips else None),
        "lower_lip_thickness_ratio_per_face": lower_lip_ratios,
        "lower_lip_seam_share": max((v for v in seam_shares if v is not None),
                                    default=None),
        "lower_lip_seam_share_per_face": seam_shares,
        "spread_lip_seam_share": max((v for v in spread_seams if v is not None), default=None),
        "spread_lip_seam_share_per_face": spread_seams,
        "lower_lip_edge_jaggedness_px": max((v for v in edge_jaggedness if v is not None),
                                            default=None),
        "lower_lip_edge_jaggedness_px_per_face": edge_jaggedness,
        "gaze_shift_eye_widths": median_of("gaze_shift"),
        "gaze_steady_eye_widths": median_of("gaze_steady"),
        "gaze_planned_eye_widths": median_of("gaze_planned"),
        "gaze_direction_agreement": round(share("gaze_agree"), 3),
        "gaze_shift_eye_widths_per_face": [
            median_of("gaze_shift", [r for r in results if r["face"] == face])
            for face in args.faces.split(",")],
        "gaze_shifted_frames": sum(len(r["gaze_shift"]) for r in results),
        "shut_eye_white_fraction": round(share("shut_whites"), 4),
        "shut_eye_white_fraction_max": round(max(
            (v for r in results for v in r["shut_whites"]), default=float("nan")), 4),
        "shut_frames": sum(len(r["shut_whites"]) for r in results),
        "eye_white_fraction_open": round(float(np.mean([r["open_whites"] for r in results])), 3),
    }

    print(f"{'face':14} {'clip':8} {'s':>5} {'pbm':>5} {'other':>5} {'sil':>5} {'corr':>5} "
          f"{'snaps':>5} {'halo':>5} {'yaw':>5} {'(plan)':>6} {'pitch':>5} {'(plan)':>6} "
          f"{'id':>5} {'gaze':>5} {'still':>5} {'white':>5}")
    for r in results:
        def mean(values):
            return float(np.mean(values)) if values else float("nan")

        def median(values):
            return float(np.median(values)) if values else float("nan")
        print(f"{r['face']:14} {r['clip']:8} {r['seconds']:5.1f} {mean(r['bilabial']):5.2f} "
              f"{mean(r['other']):5.2f} {mean(r['silence_closed']):5.2f} "
              f"{r['correlation']:5.2f} {r['snaps']:5d} {r['halo']:2d}/{r['halo_decoded']:<2d} "
              f"{r['yaw_range']:5.1f} "
              f"{r['yaw_planned']:6.1f} {r['pitch_range']:5.1f} {r['pitch_planned']:6.1f} "
              f"{r['identity_max']:5.2f} {median(r['gaze_shift']):5.3f} "
              f"{median(r['gaze_steady']):5.3f} {max(r['shut_whites'], default=np.nan):5.3f}")
    print()
    for key, value in figures.items():
        print(f"{key:36} {value}")
    print(f"(mouth contact sheet: {sheet_path.relative_to(ROOT)})")
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
