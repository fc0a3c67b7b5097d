"""Small synthetic media for tests and benchmarks, made in Python (numpy + PyAV + Pillow).

Other test packages may import these helpers. Nothing here needs a CLI except
``speech_wav``, which uses espeak-ng when it is installed.
"""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import zlib
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image

REPO_ROOT = Path(__file__).resolve().parents[2]
FACES_DIR = REPO_ROOT / ".." / "shared" / "data" / "faces"

# (container format, codec, file suffix) for every audio format the studio accepts.
AUDIO_FORMATS: dict[str, tuple[str, str, str]] = {
    "wav": ("wav", "pcm_s16le", ".wav"),
    "mp3": ("mp3", "libmp3lame", ".mp3"),
    "m4a": ("ipod", "aac", ".m4a"),
    "ogg": ("ogg", "libopus", ".ogg"),
    "flac": ("flac", "flac", ".flac"),
    "webm": ("webm", "libopus", ".webm"),
}


def face_path(name: str) -> Path:
    """Path of a shared test photo: obama.jpg, obama2.jpg, biden.jpg, astronaut.png."""
    return (FACES_DIR / name).resolve()


# --- audio -------------------------------------------------------------------------------


def tone(
    seconds: float,
    *,
    sample_rate: int = 16_000,
    frequency: float = 220.0,
    amplitude: float = 0.3,
    noise: float = 0.01,
    seed: int = 0,
) -> np.ndarray:
    """A harmonic tone plus a little noise, float32 mono."""
    t = np.arange(int(round(seconds * sample_rate))) / sample_rate
    signal = sum(np.sin(2 * np.pi * frequency * k * t) / k for k in (1, 2, 3, 4))
    signal = amplitude * signal / np.max(np.abs(signal) + 1e-9)
    rng = np.random.default_rng(seed)
    return (signal + noise * rng.standard_normal(len(t))).astype(np.float32)


def silence(seconds: float, *, sample_rate: int = 16_000) -> np.ndarray:
    return np.zeros(int(round(seconds * sample_rate)), dtype=np.float32)



def sung_vowels():
    """Sung vowels held for a second with vibrato (ah, oo, ee, ah, oo), 0.35 s apart between
    0.6 s pauses, as an espeak_phonemes.TimedSpeech whose phonemes are the notes' steady parts
    (the lip-sync benchmark's sung clip; the recogniser hears noise there, the formants
    decide)."""
    from tests.generation import espeak_phonemes as espeak

    notes = (("ah", "a:", 220.0), ("oo", "u:", 247.0), ("ee", "i:", 262.0),
             ("ah", "a:", 196.0), ("oo", "u:", 220.0))
    parts: list = [silence(0.6)]
    phonemes = []
    offset = 0.6
    for name, symbol, pitch in notes:
        parts += [vowel(1.0, formants=VOWEL_FORMANTS[name], frequency=pitch, vibrato_hz=5.5,
                        vibrato_cents=40.0), silence(0.35)]
        phonemes.append(espeak.Phoneme(symbol, offset + 0.05, offset + 0.95))
        offset += 1.35
    parts.append(silence(0.6))
    return espeak.TimedSpeech(np.concatenate(parts), 16_000, tuple(phonemes))

def tone_bursts(
    pattern: list[tuple[float, bool]],
    *,
    sample_rate: int = 16_000,
    frequency: float = 180.0,
    amplitude: float = 0.4,
    seed: int = 0,
) -> np.ndarray:
    """Concatenate (seconds, loud?) segments: loud = a tone with 10 ms fades, else silence."""
    parts = []
    for index, (seconds, loud) in enumerate(pattern):
        if loud:
            part = tone(
                seconds, sample_rate=sample_rate, frequency=frequency, amplitude=amplitude,
                noise=0.0, seed=seed + index,
            )
            fade = min(len(part) // 2, int(0.01 * sample_rate))
            ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
            part[:fade] *= ramp
            part[len(part) - fade:] *= ramp[::-1]
        else:
            part = silence(seconds, sample_rate=sample_rate)
        parts.append(part)
    return np.concatenate(parts).astype(np.float32)


# Formant frequencies (Hz) of a few vowels, adult male averages (Peterson & Barney, 1952).
VOWEL_FORMANTS: dict[str, tuple[float, float, float]] = {
    "oo": (300.0, 870.0, 2240.0),
    "ah": (730.0, 1090.0, 2440.0),
    "ee": (270.0, 2290.0, 3010.0),
}


def vowel(
    seconds: float,
    *,
    formants: tuple[float, float, float] = VOWEL_FORMANTS["ah"],
    sample_rate: int = 16_000,
    frequency: float = 130.0,
    vibrato_hz: float = 0.0,
    vibrato_cents: float = 0.0,
    amplitude: float = 0.35,
) -> np.ndarray:
    """A voiced vowel: harmonics of ``frequency`` shaped by three formant resonances, with
    optional vibrato (singing) and 30 ms fades."""
    t = np.arange(int(round(seconds * sample_rate))) / sample_rate
    f0 = frequency * 2 ** (vibrato_cents / 1200 * np.sin(2 * np.pi * vibrato_hz * t))
    phase = 2 * np.pi * np.cumsum(f0) / sample_rate
    signal = np.zeros_like(t)
    for k in range(1, int(4000 / frequency) + 1):
        harmonic_hz = k * f0
        gain = sum(np.exp(-((harmonic_hz - fc) ** 2) / (2 * (60 + 0.06 * fc) ** 2)) * 0.7**n
                   for n, fc in enumerate(formants))
        # Voice source and lip radiation together fall about 6 dB per octave.
        signal += (gain + 0.02) * (100.0 / harmonic_hz) * np.sin(k * phase)
    fade = np.minimum(1.0, t / 0.03) * np.minimum(1.0, (t[-1] - t) / 0.03)
    signal *= fade
    return (amplitude * signal / np.max(np.abs(signal) + 1e-9)).astype(np.float32)


def sung_vowel(seconds: float, *, frequency: float = 262.0, sample_rate: int = 16_000
               ) -> np.ndarray:
    """A sung 'ah' on middle C with a 5.5 Hz, +-50 cent vibrato."""
    return vowel(seconds, frequency=frequency, vibrato_hz=5.5, vibrato_cents=50.0,
                 sample_rate=sample_rate)


def plosive_syllables(
    count: int = 3, *, gap_seconds: float = 0.08, vowel_seconds: float = 0.3,
    sample_rate: int = 16_000, seed: int = 0,
) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """'a-pa-pa...': vowels separated by silent closures, each closure ending in a 10 ms
    noise burst. Returns the samples and each closure's (start, end) in seconds."""
    rng = np.random.default_rng(seed)
    parts = [silence(0.3, sample_rate=sample_rate)]
    closures = []
    position = 0.3
    for index in range(count + 1):
        parts.append(vowel(vowel_seconds, sample_rate=sample_rate))
        position += vowel_seconds
        if index == count:
            break
        parts.append(silence(gap_seconds, sample_rate=sample_rate))
        closures.append((position, position + gap_seconds))
        position += gap_seconds
        burst = 0.25 * rng.standard_normal(int(0.01 * sample_rate)).astype(np.float32)
        parts.append(burst)
        position += 0.01
    parts.append(silence(0.3, sample_rate=sample_rate))
    return np.concatenate(parts).astype(np.float32), closures


def write_audio(
    path: Path,
    samples: np.ndarray,
    *,
    sample_rate: int = 16_000,
    fmt: str = "wav",
    like_media_recorder: bool = False,
) -> Path:
    """Encode mono float samples to ``fmt`` (a key of AUDIO_FORMATS) with PyAV.

    ``like_media_recorder`` writes WebM as a browser's MediaRecorder does: live, with no
    duration in the header.
    """
    container_format, codec, _suffix = AUDIO_FORMATS[fmt]
    # Opus only runs at 48 kHz (or a few lower rates); resample there inside FFmpeg.
    rate = 48_000 if codec == "libopus" else sample_rate
    options = {"live": "1"} if like_media_recorder else {}
    with av.open(str(path), mode="w", format=container_format, options=options) as container:
        stream = container.add_stream(codec, rate=rate, layout="mono")
        pcm = np.clip(samples, -1.0, 1.0).astype(np.float32).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(pcm, format="flt", layout="mono")
        frame.sample_rate = sample_rate
        frame.pts = 0
        frame.time_base = Fraction(1, sample_rate)
        resampler = av.AudioResampler(
            format=stream.codec_context.codec.audio_formats[0].name, layout="mono", rate=rate
        )
        # Timestamps from the resampler let the AAC encoder's priming delay be recorded as an
        # edit list, so the file plays (and decodes) exactly len(samples) long.
        for converted in resampler.resample(frame) + resampler.resample(None):
            for packet in stream.encode(converted):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def write_tone_file(
    directory: Path, fmt: str, *, seconds: float = 2.0, name: str = "tone"
) -> Path:
    """A tone + noise clip in ``fmt`` inside ``directory``."""
    suffix = AUDIO_FORMATS[fmt][2]
    return write_audio(directory / f"{name}{suffix}", tone(seconds), fmt=fmt)


def write_video_only_mp4(path: Path, *, seconds: float = 1.0, size: int = 64) -> Path:
    """An MP4 with a video track and no audio track."""
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width = stream.height = size
        stream.pix_fmt = "yuv420p"
        for index in range(int(seconds * 25)):
            pixels = np.full((size, size, 3), index * 5 % 255, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def speech_wav(
    path: Path, text: str, *, pitch: int = 50, words_per_minute: int = 150
) -> Path | None:
    """Speak ``text`` to a WAV with espeak-ng; None when espeak-ng is not installed.

    Commas and full stops give short pauses; ``pitch`` (0-99) and a slow rate make it sing-song.
    """
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        return None
    subprocess.run(
        [espeak, "-p", str(pitch), "-s", str(words_per_minute), "-w", str(path), text],
        check=True, capture_output=True,
    )
    return path


# --- images ------------------------------------------------------------------------------


def gradient_image(width: int = 64, height: int = 48) -> Image.Image:
    y, x = np.mgrid[0:height, 0:width]
    pixels = np.stack([x * 255 // max(1, width - 1), y * 255 // max(1, height - 1),
                       np.full_like(x, 128)], axis=-1).astype(np.uint8)
    return Image.fromarray(pixels, "RGB")


def image_bytes(fmt: str, *, width: int = 64, height: int = 48, exif_orientation: int | None = None
                ) -> bytes:
    """Encode a gradient in a Pillow format ("JPEG", "PNG", "WEBP", "GIF", "BMP", ...)."""
    buffer = io.BytesIO()
    image = gradient_image(width, height)
    kwargs = {}
    if exif_orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        kwargs["exif"] = exif.tobytes()
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def png_bomb_bytes(width: int = 50_000, height: int = 50_000) -> bytes:
    """A tiny, valid-looking PNG whose header claims ``width`` x ``height`` pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    # One compressed row of zeros: decoding would need every row, which we must never try.
    data = zlib.compress(b"\x00" * (1 + 3 * min(width, 1024)))
    signature = b"\x89PNG\r\n\x1a\n"
    return signature + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
