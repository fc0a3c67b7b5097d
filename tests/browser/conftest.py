"""Headless Debian Chromium driven by Playwright (never a downloaded browser), with a fake camera."""

import os
import random
import shutil
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from tests.generation.media_factory import face_path, tone, write_audio

# The consent challenge the server issues while SIGNET_CONSENT_CHALLENGE_SEED is this seed;
# `camera_page` plays a recording made for it. Its actions are a turn, a look-up and an open
# mouth (~1.4 s each): a busy machine's Chromium recorded the fake camera at ~4 fps, too few
# frames to see a 0.25 s blink, which then (rightly) held the consent for a moderator.
SEED = 424246

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# between browser steps are plain synchronous code, which Django otherwise refuses there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


def write_y4m(path: Path, photo: str, *, seconds: float = 2.0, size=(640, 480)) -> Path:
    """A Y4M clip of a still photo, for Chromium's fake camera."""
    image = Image.open(face_path(photo)).convert("RGB")
    image.thumbnail(size)
    canvas = Image.new("RGB", size, (190, 190, 190))
    canvas.paste(image, ((size[0] - image.width) // 2, (size[1] - image.height) // 2))
    pixels = np.asarray(canvas)
    with av.open(str(path), mode="w", format="yuv4mpegpipe") as container:
        stream = container.add_stream("rawvideo", rate=Fraction(30))
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        for _ in range(int(seconds * 30)):
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


@pytest.fixture(scope="session")
def fake_media(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fake-media")
    return {
        "camera": write_y4m(folder / "camera.y4m", "obama.jpg"),
        "microphone": write_audio(folder / "microphone.wav", tone(4.0, frequency=170.0), fmt="wav"),
    }


@pytest.fixture(scope="session")
def playwright_instance():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed (bin/test installs it with apt-get).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


def chromium_with_fake_media(
    playwright, profile: Path, camera: Path, microphone: Path, *, language: str | None = None
):
    """Headless Debian Chromium whose camera plays `camera` (y4m) and microphone `microphone`."""
    extra = [f"--lang={language}"] if language else []
    context = playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_FLAGS
        + extra
        + [
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={camera}",
            f"--use-file-for-fake-audio-capture={microphone}",
        ],
        permissions=["camera", "microphone"],
        viewport={"width": 1200, "height": 900},
        **({"locale": language} if language else {}),
    )
    page = context.pages[0] if context.pages else context.new_page()
    return context, page


@pytest.fixture
def page(playwright_instance, fake_media, tmp_path):
    profile = tmp_path / "chromium-profile"
    context, page = chromium_with_fake_media(
        playwright_instance, profile, fake_media["camera"], fake_media["microphone"]
    )
    page.set_default_timeout(30_000)
    violations = csp_violations_watch(page)
    yield page
    context.close()
    shutil.rmtree(profile, ignore_errors=True)
    # Every page a test walked ran under the Content-Security-Policy without a violation.
    assert violations == []


def csp_violations_watch(page) -> list[tuple[str, str]]:
    """(page URL, message) of every Content-Security-Policy violation Chromium reports."""
    found: list[tuple[str, str]] = []

    def on_console(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            found.append((page.url, message.text))

    page.on("console", on_console)
    return found


def seeded_challenge():
    from safety.liveness import new_challenge

    rng = random.Random(SEED)
    challenge = new_challenge(rng)
    code = "".join(str(rng.randrange(10)) for _ in range(6))
    return challenge, code


def _write_y4m(path, frames, fps):
    with av.open(str(path), mode="w", format="yuv4mpegpipe") as container:
        stream = container.add_stream("rawvideo", rate=Fraction(fps))
        stream.height, stream.width = frames[0].shape[:2]
        stream.pix_fmt = "yuv420p"
        for frame in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def _camera_frames(frames):
    """480x480 faces centred on a 640x480 camera picture."""
    out = []
    for frame in frames:
        canvas = np.full((480, 640, 3), 180, np.uint8)
        canvas[:, 80:560] = np.asarray(Image.fromarray(frame).resize((480, 480)))
        out.append(canvas)
    return out


@pytest.fixture
def camera_page(playwright_instance, tmp_path, settings, request):
    """A page whose fake camera plays `request.param`: "genuine" or "still"."""
    settings.SIGNET_CONSENT_CHALLENGE_SEED = SEED
    challenge, code = seeded_challenge()
    from tests.safety import liveness_media as media

    audio = media.sentence_audio(code, challenge.seconds)
    if request.param == "genuine":
        frames = media.genuine_like_frames("obama.jpg", challenge, audio)
    else:
        frames = media.still_frames("obama.jpg", challenge.seconds)
    camera = _write_y4m(tmp_path / "camera.y4m", _camera_frames(frames), media.FPS)
    microphone = write_audio(tmp_path / "microphone.wav", audio, fmt="wav")
    profile = tmp_path / "chromium-profile"
    context, page = chromium_with_fake_media(playwright_instance, profile, camera, microphone)
    page.set_default_timeout(60_000)
    violations = csp_violations_watch(page)
    yield page, challenge, code
    context.close()
    assert violations == []  # the consent page runs under the Content-Security-Policy too
    shutil.rmtree(profile, ignore_errors=True)
