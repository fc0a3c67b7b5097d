"""Speech with ground-truth phoneme timing, from libespeak-ng through ctypes.

espeak-ng, initialised in synchronous mode with phoneme events on, hands each block of samples
to a callback together with the events inside it; a phoneme event (type 7) names the phoneme
(espeak's ASCII mnemonic, e.g. ``p``, ``m``, ``u:``, ``aI``) and its position in the audio in
milliseconds. Used by the lip-sync benchmark and the animator's tests to know exactly when each
p/b/m, rounded and spread vowel is spoken. Returns None where libespeak-ng is missing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from dataclasses import dataclass

import numpy as np
from scipy.signal import resample_poly

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_PHONEME_EVENTS = 0x0001
_EVENT_LIST_TERMINATED = 0
_EVENT_PHONEME = 7
_POS_CHARACTER = 1
_CHARS_UTF8 = 1


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p),
                ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int,
                             ctypes.POINTER(_Event))


@dataclass(frozen=True)
class Phoneme:
    symbol: str  # espeak mnemonic
    start: float  # seconds
    end: float


@dataclass(frozen=True, eq=False)
class TimedSpeech:
    samples: np.ndarray  # float32 mono at 16 kHz
    sample_rate: int
    phonemes: tuple[Phoneme, ...]


# Phoneme classes by espeak mnemonic (English and German voices).
BILABIAL = {"p", "b", "m"}
ROUNDED = {"u:", "U", "u", "oU", "o:", "O:", "o", "O", "y:", "Y", "2:", "9", "w",
           "u@", "o@", "U@", "W"}
SPREAD = {"i:", "i", "I", "e", "e:", "E", "E:", "eI", "i@", "I2", "I#", "i;"}
OPEN = {"a", "a:", "A:", "aI", "A", "V", "a#", "aa"}


def phoneme_class(symbol: str) -> str:
    """'bilabial', 'rounded', 'spread', 'open' or 'other' (stress marks ignored)."""
    core = symbol.strip("'\",%=")
    if core in BILABIAL:
        return "bilabial"
    if core in ROUNDED:
        return "rounded"
    if core in SPREAD:
        return "spread"
    if core in OPEN:
        return "open"
    return "other"


_lock = threading.Lock()
_library = None
_native_rate = 0


def _load():
    global _library, _native_rate
    if _library is None:
        name = ctypes.util.find_library("espeak-ng") or "libespeak-ng.so.1"
        try:
            library = ctypes.CDLL(name)
        except OSError:
            return None
        rate = library.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, None,
                                         _INITIALIZE_PHONEME_EVENTS)
        if rate <= 0:
            return None
        _library, _native_rate = library, rate
    return _library


def speak_for_test(text: str, **options) -> TimedSpeech:
    """speak() in a test: bin/test installs espeak-ng, so a missing library is an error, never
    a skipped test."""
    speech = speak(text, **options)
    if speech is None:
        raise RuntimeError("libespeak-ng cannot be loaded: apt-get install espeak-ng "
                           "(bin/test installs it)")
    return speech


def speak(text: str, *, voice: str = "en", rate: int = 150, pitch: int = 50,
          sample_rate: int = 16_000) -> TimedSpeech | None:
    """Synthesise ``text``; None when libespeak-ng cannot be loaded."""
    with _lock:
        library = _load()
        if library is None:
            return None
        chunks: list[np.ndarray] = []
        events: list[tuple[int, str]] = []

        def collect(wav, count, event_pointer) -> int:
            if count > 0 and wav:
                chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
            index = 0
            while True:
                event = event_pointer[index]
                if event.type == _EVENT_LIST_TERMINATED:
                    break
                if event.type == _EVENT_PHONEME:
                    events.append((event.audio_position,
                                   event.id.string.decode("ascii", "replace")))
                index += 1
            return 0

        callback = _CALLBACK(collect)
        library.espeak_SetSynthCallback(callback)
        if library.espeak_SetVoiceByName(voice.encode()) != 0:
            raise ValueError(f"espeak-ng has no voice {voice!r}")
        library.espeak_SetParameter(1, rate, 0)  # espeakRATE
        library.espeak_SetParameter(3, pitch, 0)  # espeakPITCH
        data = text.encode("utf-8")
        status = library.espeak_Synth(data, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8,
                                      None, None)
        library.espeak_Synchronize()
        if status != 0:
            raise RuntimeError(f"espeak_Synth failed ({status})")
    native = np.concatenate(chunks).astype(np.float32) / 32768.0 if chunks else np.zeros(1)
    samples = resample_poly(native, sample_rate, _native_rate).astype(np.float32)
    duration = len(samples) / sample_rate
    phonemes = []
    for (position, symbol), following in zip(events, [*events[1:], (None, "")], strict=True):
        start = position / 1000.0
        end = following[0] / 1000.0 if following[0] is not None else duration
        if symbol.strip() and end > start:
            phonemes.append(Phoneme(symbol=symbol.strip(), start=start, end=min(end, duration)))
    return TimedSpeech(samples=samples, sample_rate=sample_rate, phonemes=tuple(phonemes))


def concatenate(parts: list[TimedSpeech | np.ndarray], sample_rate: int = 16_000
                ) -> TimedSpeech:
    """Join speech and plain sample arrays (pauses, sung notes), shifting phoneme times."""
    samples, phonemes, offset = [], [], 0.0
    for part in parts:
        if isinstance(part, TimedSpeech):
            phonemes += [Phoneme(p.symbol, p.start + offset, p.end + offset)
                         for p in part.phonemes]
            part = part.samples
        samples.append(part.astype(np.float32))
        offset += len(part) / sample_rate
    return TimedSpeech(samples=np.concatenate(samples), sample_rate=sample_rate,
                       phonemes=tuple(phonemes))


def lip_closures(speech: TimedSpeech) -> list[tuple[float, float, str]]:
    """When the lips are actually shut for each p, b and m, read from espeak's own audio.

    espeak-ng's event for a voiceless stop marks its release (burst and aspiration): the
    closure is the silence just before it, at the end of the previous phoneme; so for a /b/
    that follows silence (devoiced). Any other /b/'s event starts with the closure's voice bar
    (low, under 600 Hz) and ends with the burst; an /m/'s event is murmur with the lips shut
    until the level jumps into the next vowel. Both end where the level first comes within
    8 dB of the clip's loud voice (its 95th percentile). Returns (start, end, symbol) in
    seconds.
    """
    rate = speech.sample_rate
    step = int(0.005 * rate)
    x = speech.samples.astype(np.float64)
    count = len(x) // step
    level = 10 * np.log10((x[: count * step].reshape(count, step) ** 2).mean(axis=1) + 1e-12)
    loud = np.percentile(level, 95)
    spans = []
    for phoneme in speech.phonemes:
        core = phoneme.symbol.strip("'\",%=")
        if core not in BILABIAL:
            continue
        first = int(phoneme.start / 0.005)
        # A b with silence just before its event has no voice bar (espeak devoices it after
        # a pause or a voiceless sound: "ein Brot", "Bob" out of a pause): its event starts
        # at the burst, like a p's, and its closure is the silence before it.
        devoiced = (core == "b" and first >= 4
                    and level[first - 4:first - 2].max() < loud - 30.0)
        if core == "p" or devoiced:
            index = first - 1
            while index >= 0 and first - index <= 30 and level[index] < loud - 30.0:
                index -= 1
            start = (index + 1) * 0.005
            spans.append((max(start, phoneme.start - 0.15), phoneme.start, core))
        else:
            # A b's voice bar, or an m's murmur, until the level jumps into the next vowel (an
            # m's event also holds the first 20-40 ms of that vowel, F1 already up from ~220
            # to 400-600 Hz: the lips have parted there).
            last = min(int(phoneme.end / 0.005), count)
            index = first if core == "b" else first + 1
            while index < last and level[index] < loud - 8.0:
                index += 1
            end = index * 0.005 if core == "b" else min(index * 0.005, phoneme.end)
            spans.append((phoneme.start, max(end, phoneme.start + 0.01), core))
    return spans


STOPS = {"p", "b", "t", "d", "k", "g"}


def stop_releases(speech: TimedSpeech) -> list[float]:
    """Seconds at which each stop bursts open: the start of espeak's event for p, t, k, d and
    g; for a b, the end of its closure (lip_closures), as its event starts with the voice
    bar."""
    releases = [end for _, end, symbol in lip_closures(speech) if symbol == "b"]
    releases += [p.start for p in speech.phonemes
                 if p.symbol.strip("'\",%=") in STOPS - {"b"}]
    return sorted(releases)
