"""Phones heard in audio, with their times, by pocketsphinx's phonetic ("allphone") decoder.

The decoder and its models ship inside the pocketsphinx wheel (US-English acoustic model and the
phone language model ``en-us-phone.lm.bin``), so nothing is downloaded. It returns ARPAbet
phones (AA, B, IY, ...) and SIL at a 10 ms resolution, about 40x faster than real time on one
core. It is trained on English; on German it still finds the mouth's main events (closures,
rounded and open vowels) as the nearest English phones, which is all a viseme needs.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

import numpy as np
from scipy.signal import resample_poly

SAMPLE_RATE = 16_000
FRAME_SECONDS = 0.01  # pocketsphinx's frame rate is 100 per second


@dataclass(frozen=True)
class Phone:
    label: str  # ARPAbet phone, "SIL" for silence and noise
    start: float  # seconds
    end: float


class _PhoneDecoder:
    """One decoder per process (model load ~0.1 s); decoding is serialised by a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._decoder = None

    def decode(self, pcm: bytes) -> list[tuple[str, int, int]]:
        with self._lock:
            if self._decoder is None:
                from pocketsphinx import Decoder, get_model_path

                self._decoder = Decoder(
                    samprate=SAMPLE_RATE,
                    allphone=os.path.join(get_model_path(), "en-us-phone.lm.bin"),
                    lw=2.0, beam=1e-20, pbeam=1e-20, loglevel="FATAL",
                )
            decoder = self._decoder
            # The feature stage adapts to what it hears (cepstral mean, kept across
            # utterances): reset it, or the phones heard in a clip depend on the clips this
            # worker decoded before it (and the same request animates differently).
            decoder.reinit_feat()
            decoder.start_utt()
            decoder.process_raw(pcm, full_utt=True)
            decoder.end_utt()
            return [(s.word, s.start_frame, s.end_frame) for s in decoder.seg()]


_decoder = _PhoneDecoder()


def recognise_phones(samples: np.ndarray, sample_rate: int) -> tuple[Phone, ...]:
    """Phones in mono float audio, in order, covering it from start to end."""
    if sample_rate != SAMPLE_RATE:
        samples = resample_poly(samples.astype(np.float64), SAMPLE_RATE, sample_rate)
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()
    phones = []
    for word, first, last in _decoder.decode(pcm):
        label = word.upper()
        if not label.isalpha() or label.startswith("+"):
            label = "SIL"  # fillers (+NSN+, +SPN+, <sil>) show no mouth shape
        phones.append(Phone(label=label, start=first * FRAME_SECONDS,
                            end=(last + 1) * FRAME_SECONDS))
    return tuple(phones)
