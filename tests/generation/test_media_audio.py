from pathlib import Path

import numpy as np
import pytest

from generation.media import MediaError, decode_audio, probe_audio
from tests.generation import media_factory as mf


@pytest.mark.parametrize("fmt", sorted(mf.AUDIO_FORMATS))
def test_every_accepted_format_probes_and_decodes_to_16k_mono(tmp_path: Path, fmt: str) -> None:
    path = mf.write_tone_file(tmp_path, fmt, seconds=2.0)

    info = probe_audio(path)
    decoded = decode_audio(path)

    assert info.duration_seconds == pytest.approx(2.0, abs=0.03)
    assert info.channels == 1
    assert decoded.sample_rate == 16_000
    assert decoded.samples.dtype == np.float32 and decoded.samples.ndim == 1
    assert decoded.duration_seconds == pytest.approx(2.0, abs=0.03)
    # The tone survives the trip: its level is close to what was written.
    rms = float(np.sqrt(np.mean(decoded.samples[1600:-1600] ** 2)))
    assert 0.1 < rms < 0.3


def test_media_recorder_webm_without_header_duration_is_measured_by_decoding(
    tmp_path: Path,
) -> None:
    path = mf.write_audio(tmp_path / "rec.webm", mf.tone(1.5), fmt="webm",
                          like_media_recorder=True)

    assert probe_audio(path).duration_seconds == pytest.approx(1.5, abs=0.03)


def test_too_long_audio_refused_from_header(tmp_path: Path) -> None:
    path = mf.write_tone_file(tmp_path, "wav", seconds=3.0)

    with pytest.raises(MediaError, match="too long"):
        probe_audio(path, max_seconds=2.0)
    with pytest.raises(MediaError, match="too long"):
        decode_audio(path, max_seconds=2.0)


def test_too_long_audio_refused_when_header_has_no_duration(tmp_path: Path) -> None:
    path = mf.write_audio(tmp_path / "rec.webm", mf.tone(3.0), fmt="webm",
                          like_media_recorder=True)

    with pytest.raises(MediaError, match="too long"):
        probe_audio(path, max_seconds=2.0)


def test_too_short_audio_refused(tmp_path: Path) -> None:
    path = mf.write_audio(tmp_path / "blip.wav", mf.tone(0.3))

    with pytest.raises(MediaError, match="too short"):
        probe_audio(path)


def test_silent_audio_refused(tmp_path: Path) -> None:
    # Noise at about -60 dBFS peak: present, but nothing anyone could lip-sync to.
    hiss = (0.0005 * np.random.default_rng(0).standard_normal(32_000)).astype(np.float32)
    path = mf.write_audio(tmp_path / "hiss.wav", hiss)

    with pytest.raises(MediaError, match="silent"):
        probe_audio(path)


def test_random_bytes_refused(tmp_path: Path) -> None:
    path = tmp_path / "upload.mp3"
    path.write_bytes(np.random.default_rng(1).bytes(50_000))

    with pytest.raises(MediaError, match="could not be decoded"):
        probe_audio(path)


def test_text_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.wav"
    path.write_text("this is not audio\n" * 100)

    with pytest.raises(MediaError, match="could not be decoded"):
        probe_audio(path)


@pytest.mark.parametrize("fmt", ["wav", "mp3", "m4a", "ogg", "flac", "webm"])
def test_truncated_file_refused(tmp_path: Path, fmt: str) -> None:
    whole = mf.write_tone_file(tmp_path, fmt, seconds=2.0).read_bytes()
    cut = tmp_path / f"cut{mf.AUDIO_FORMATS[fmt][2]}"
    cut.write_bytes(whole[: len(whole) // 2])

    with pytest.raises(MediaError, match="could not be decoded"):
        probe_audio(cut)


def test_damaged_m4a_sample_table_refused(tmp_path: Path) -> None:
    # Zeroing a stretch of an M4A's sample table makes it unreadable.
    whole = bytearray(mf.write_tone_file(tmp_path, "m4a").read_bytes())
    index = whole.find(b"stsz")
    whole[index: index + 200] = bytes(200)
    damaged = tmp_path / "damaged.m4a"
    damaged.write_bytes(bytes(whole))

    with pytest.raises(MediaError):
        probe_audio(damaged)


def test_file_without_audio_stream_refused(tmp_path: Path) -> None:
    path = mf.write_video_only_mp4(tmp_path / "silent_film.mp4")

    with pytest.raises(MediaError, match="no audio track"):
        probe_audio(path)


def test_missing_file_refused_with_message(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="could not be read"):
        probe_audio(tmp_path / "nope.wav")


def test_stereo_is_decoded_once_into_an_analysis_copy_and_the_track_as_delivered(tmp_path):
    import subprocess

    from generation.media.audio import decode_audio_once

    path = tmp_path / "stereo.wav"
    subprocess.run(
        ["sox", "-n", "-r", "44100", "-c", "2", str(path), "synth", "2", "sine", "300",
         "sine", "900", "gain", "-6"], check=True,
    )  # fmt: skip
    analysis, track = decode_audio_once(path)

    assert analysis.sample_rate == 16_000 and analysis.samples.ndim == 1
    assert analysis.duration_seconds == pytest.approx(2.0, abs=0.01)
    assert (track.sample_rate, track.channels, track.layout) == (44_100, 2, "stereo")
    assert track.duration_seconds == pytest.approx(2.0, abs=0.01)
    # The channels stay apart: 300 Hz on the left, 900 Hz on the right.
    left, right = track.samples
    spectrum_left = np.abs(np.fft.rfft(left))
    spectrum_right = np.abs(np.fft.rfft(right))
    freqs = np.fft.rfftfreq(len(left), 1 / 44_100)
    assert abs(freqs[spectrum_left.argmax()] - 300) < 2
    assert abs(freqs[spectrum_right.argmax()] - 900) < 2


def test_a_rate_aac_cannot_carry_is_delivered_at_48_khz(tmp_path):
    import subprocess

    from generation.media.audio import decode_audio_once

    path = tmp_path / "odd.wav"
    subprocess.run(["sox", "-n", "-r", "37800", "-c", "1", str(path), "synth", "1", "sine",
                    "440"], check=True)  # fmt: skip
    _analysis, track = decode_audio_once(path)
    assert (track.sample_rate, track.channels) == (48_000, 1)


def test_the_one_pass_decode_refuses_what_decode_audio_refuses(tmp_path):
    from generation.media.audio import decode_audio_once

    path = mf.write_tone_file(tmp_path, "wav", seconds=3.0)
    with pytest.raises(MediaError, match="too long"):
        decode_audio_once(path, max_seconds=2.0)
