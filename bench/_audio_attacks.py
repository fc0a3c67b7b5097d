"""Test sounds and ffmpeg-CLI attacks on sound tracks, shared by bench/audio_watermark.py and tests.

Speech comes from espeak-ng (Debian), singing and music from sox's synthesiser; attacks are made
with Debian's ffmpeg command line, the way a re-uploader would.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
from scipy.io import wavfile

from generation.media.audio import decode_audio

RATE = 48_000
SENTENCES = [
    "Signet marks every talking portrait it makes, so anyone can check where a clip came from.",
    "The weather was mild for December, and the harbour was full of small boats at dawn.",
    "Please read the six digit code aloud, then look at the camera and smile for a moment.",
    "A river runs through the old town, past the market, the library and the railway bridge.",
    "Numbers like forty two and nineteen eighty four are easy to say but hard to remember.",
    "She sold sea shells by the sea shore while the gulls kept circling over the pier.",
]
VOICES = ["en-us+f2", "en-us", "en+m3", "en-gb+f4", "en+m7", "en-us+f5"]
# A few melodies (note names for sox's synth), sung by a "voice" (a vibrato sawtooth) or played.
MELODIES = [
    ["C4", "E4", "G4", "E4", "F4", "D4", "B3", "C4"],
    ["A3", "C4", "E4", "A4", "G4", "E4", "D4", "C4"],
    ["E4", "D4", "C4", "D4", "E4", "E4", "E4", "D4"],
]


def _run(args: list[str]) -> None:
    subprocess.run(args, check=True, capture_output=True)


def speech(path: Path, index: int) -> Path:
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise RuntimeError("espeak-ng is required (apt-get install espeak-ng)")
    raw = path.with_suffix(".raw.wav")
    text = " ".join(SENTENCES[(index + k) % len(SENTENCES)] for k in range(2))
    voice = VOICES[index % len(VOICES)]
    _run([espeak, "-v", voice, "-s", str(150 + 10 * (index % 3)), "-w", str(raw), text])
    _run(["ffmpeg", "-y", "-v", "error", "-i", str(raw), "-ar", str(RATE), "-ac", "1", str(path)])
    raw.unlink()
    return path


_NOTE_HZ = {
    "A3": 220.0,
    "B3": 246.94,
    "C4": 261.63,
    "D4": 293.66,
    "E4": 329.63,
    "F4": 349.23,
    "G4": 392.0,
    "A4": 440.0,
}


def sung(path: Path, index: int, note_seconds: float = 0.9) -> Path:
    """A sung-like melody: harmonics with vibrato under two vowel formants, short breaths between."""
    rng = np.random.default_rng(index)
    pieces = []
    for note in MELODIES[index % len(MELODIES)] + MELODIES[(index + 1) % len(MELODIES)][:3]:
        t = np.arange(int(note_seconds * RATE)) / RATE
        f0 = _NOTE_HZ[note] * (1 + 0.02 * np.sin(2 * np.pi * 5.5 * t + rng.random() * 6))
        phase = 2 * np.pi * np.cumsum(f0) / RATE
        formants = rng.choice([(700, 1200), (400, 2000), (300, 900), (500, 1700)])
        voice = np.zeros_like(t)
        for h in range(1, 30):
            freq = h * _NOTE_HZ[note]
            if freq > 7500:
                break
            gain = sum(np.exp(-(((freq - f) / 150.0) ** 2)) for f in formants) + 0.05 / h
            voice += gain * np.sin(h * phase)
        envelope = np.minimum(1, np.minimum(t / 0.06, (note_seconds - 0.12 - t) / 0.06).clip(0))
        pieces.append(voice * envelope)
    samples = np.concatenate(pieces)
    return write((0.3 * samples / np.abs(samples).max()).astype(np.float32), path)


def music(path: Path, seconds: float, index: int = 0) -> Path:
    """Background music: plucked chords changing every half second."""
    chords = [["C3", "E3", "G3"], ["A2", "C3", "E3"], ["F2", "A2", "C3"], ["G2", "B2", "D3"]]
    pieces = []
    steps = int(np.ceil(seconds / 0.5))
    for k in range(steps):
        chord = chords[(k + index) % len(chords)]
        piece = path.with_name(f"{path.stem}.c{k}.wav")
        args = ["sox", "-n", "-r", str(RATE), "-c", "1", str(piece), "synth", "0.5"]
        for note in chord:
            args += ["pluck", note]
        _run([*args, "gain", "-12"])
        pieces.append(str(piece))
    _run(["sox", *pieces, str(path)])
    for piece in pieces:
        Path(piece).unlink()
    return path


def read(path: Path, rate: int = RATE) -> np.ndarray:
    return decode_audio(path, sample_rate=rate).samples


def write(samples: np.ndarray, path: Path, rate: int = RATE) -> Path:
    pcm = np.clip(np.round(np.asarray(samples) * 32767.0), -32768, 32767).astype(np.int16)
    wavfile.write(str(path), rate, pcm)
    return path


def _ffmpeg(src: Path, dst: Path, *args: str) -> Path:
    _run(["ffmpeg", "-y", "-v", "error", "-i", str(src), *args, str(dst)])
    return dst


def attack(name: str, src: Path, workdir: Path, music_path: Path | None = None) -> Path:
    """Apply one named attack to ``src`` with the ffmpeg CLI; returns the attacked file."""
    out = _Stem(workdir / f"{src.stem}-{name.replace('.', '_')}")
    if name == "aac_64k":
        return _ffmpeg(src, out.with_suffix(".m4a"), "-c:a", "aac", "-b:a", "64k")
    if name == "aac_32k":
        return _ffmpeg(src, out.with_suffix(".m4a"), "-c:a", "aac", "-b:a", "32k")
    if name == "mp3_96k":
        return _ffmpeg(src, out.with_suffix(".mp3"), "-c:a", "libmp3lame", "-b:a", "96k")
    if name == "mp3_64k":
        return _ffmpeg(src, out.with_suffix(".mp3"), "-c:a", "libmp3lame", "-b:a", "64k")
    if name == "opus_32k":
        return _ffmpeg(src, out.with_suffix(".ogg"), "-c:a", "libopus", "-b:a", "32k")
    if name == "resample_16k":
        return _ffmpeg(src, out.with_suffix(".wav"), "-ar", "16000")
    if name == "resample_8k":
        return _ffmpeg(src, out.with_suffix(".wav"), "-ar", "8000")
    if name == "volume_up_10pct":
        return _ffmpeg(src, out.with_suffix(".wav"), "-af", "volume=1.1")
    if name == "volume_down_10pct":
        return _ffmpeg(src, out.with_suffix(".wav"), "-af", "volume=0.9")
    if name == "trim_start_1.3s":
        return _ffmpeg(src, out.with_suffix(".wav"), "-ss", "1.3")
    if name == "trim_half":
        seconds = len(read(src)) / RATE
        return _ffmpeg(
            src, out.with_suffix(".wav"), "-ss", f"{seconds / 4:.2f}", "-t", f"{seconds / 2:.2f}"
        )
    if name == "music_mix_-10db" or name == "music_mix_-10db_aac_64k":
        assert music_path is not None
        mixed = _mix(src, music_path, out.with_suffix(".wav"), -10.0)
        if name.endswith("aac_64k"):
            return _ffmpeg(mixed, out.with_suffix(".m4a"), "-c:a", "aac", "-b:a", "64k")
        return mixed
    if name == "highpass_300_lowpass_3400":
        return _ffmpeg(src, out.with_suffix(".wav"), "-af", "highpass=f=300,lowpass=f=3400")
    if name == "speed_2pct":
        return _ffmpeg(src, out.with_suffix(".wav"), "-af", "atempo=1.02")
    if name == "pitch_2pct":
        return _ffmpeg(
            src, out.with_suffix(".wav"), "-af", f"asetrate={RATE}*1.02,aresample={RATE}"
        )
    if name == "white_noise_30db":
        samples = read(src)
        rms = float(np.sqrt(np.mean(samples**2)))
        noise = np.random.default_rng(0).normal(0, rms / 10**1.5, samples.shape)
        return write((samples + noise).astype(np.float32), out.with_suffix(".wav"))
    raise ValueError(f"unknown attack {name}")


class _Stem:
    """A path stem that takes a suffix (Path.with_suffix would eat a dotted attack name)."""

    def __init__(self, stem: Path) -> None:
        self._stem = stem

    def with_suffix(self, suffix: str) -> Path:
        return self._stem.with_name(self._stem.name + suffix)


def _mix(src: Path, music_path: Path, dst: Path, level_db: float) -> Path:
    voice = read(src)
    back = read(music_path)
    if len(back) < len(voice):
        back = np.tile(back, int(np.ceil(len(voice) / len(back))))
    back = back[: len(voice)]
    rms_voice = float(np.sqrt(np.mean(voice**2)))
    rms_back = float(np.sqrt(np.mean(back**2))) + 1e-12
    back = back * (rms_voice / rms_back) * 10 ** (level_db / 20)
    return write(np.clip(voice + back, -1, 1).astype(np.float32), dst)


REQUIRED_ATTACKS = [
    "aac_64k",
    "mp3_96k",
    "resample_16k",
    "volume_up_10pct",
    "volume_down_10pct",
    "trim_start_1.3s",
    "trim_half",
    "music_mix_-10db",
]
EXTRA_ATTACKS = [
    "music_mix_-10db_aac_64k",
    "aac_32k",
    "mp3_64k",
    "opus_32k",
    "resample_8k",
    "highpass_300_lowpass_3400",
    "white_noise_30db",
    "speed_2pct",
    "pitch_2pct",
]
