"""The video mark on a real sealed output (a face photo rendered and sealed by the production
code), attacked with the ffmpeg command line the way a re-uploader would."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench._real_outputs import ATTACKS, background_video, make_outputs
from bench._sealing import BenchSealer
from safety.watermark import read_watermark_from_file

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs the ffmpeg CLI")

# Attack classes the mark is expected to survive (see bench/watermark_robustness.py for all).
SURVIVED = [
    "crf28",
    "crf33",
    "crf38",
    "downscale_360p",
    "downscale_240p",
    "downscale_288p_crf28",
    "crop_288p_crf28",
    "pip_50pct",
    "crop_10pct",
    "rotate_2deg",
    "rotate_3deg",
    "hflip",
    "fps_15",
    "trim_2s",
    "vp9",
    "letterbox_16x9",
    "jpeg_q70_still",
]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("real-output")


@pytest.fixture(scope="module")
def sealer() -> BenchSealer:
    return BenchSealer()


@pytest.fixture(scope="module")
def output(workdir, sealer):
    return make_outputs(1, workdir, sealer, seconds=5.0)[0]


@pytest.mark.parametrize("attack", SURVIVED)
def test_the_mark_survives(attack, output, workdir, sealer):
    attacked = ATTACKS[attack](output.sealed, workdir, background_video(workdir))
    reading = read_watermark_from_file(attacked, sealer.codec)
    assert reading.found, reading.detail
    assert reading.payload_id == output.payload_id


@pytest.mark.parametrize("attack", ["none", "hflip", "rotate_2deg", "pip_50pct", "crf40"])
def test_the_unmarked_encode_under_the_same_attack_reads_as_unmarked(
    attack, output, workdir, sealer
):
    attacked = ATTACKS[attack](output.unmarked, workdir, background_video(workdir))
    reading = read_watermark_from_file(attacked, sealer.codec)
    assert not reading.found and reading.payload_id is None
