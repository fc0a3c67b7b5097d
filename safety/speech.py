"""Was the one-time code spoken in the consent recording? An offline, advisory check.

pocketsphinx (CMU Sphinx) decodes with the US-English acoustic model and dictionary that its
wheel ships; nothing is downloaded. Its open-vocabulary recogniser is weak on short clips, so
by default the audio is decoded against a small grammar: the words of the consent sentence
before the code (each may be skipped) followed by one or more digits. That makes digits far
more reliable, but the grammar forces any speech into digit words, so the result is only
meaningful for a recording of that sentence. It is shown to moderators, never a gate on its own.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
from pocketsphinx import Decoder

SAMPLE_RATE = 16_000
DEFAULT_LEAD_IN = "my code is"

_DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_ZERO_WORDS = ("oh", "o", "nought", "naught", "nil")
_TEEN_WORDS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen")
_TEEN_WORDS += ("eighteen", "nineteen")
_TEN_WORDS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_UNITS = {word: value for value, word in enumerate(_DIGIT_WORDS)} | dict.fromkeys(_ZERO_WORDS, 0)
_TEENS = {word: 10 + value for value, word in enumerate(_TEEN_WORDS)}
_TENS = {word: 2 + value for value, word in enumerate(_TEN_WORDS)} | {"fourty": 4}
_REPEATS = {"double": 2, "triple": 3}


# German over pocketsphinx's English acoustic model: the ten digit words and the words of the
# German consent sentence, spelt in the English (CMU) phone set as closely as it allows (no
# /x/, /ç/ or /y/: "acht" ends in K T, "ich" in SH, "fünf" takes IH). Checked with espeak-ng's
# German voice (tests/safety/test_speech_german.py); a native speaker's accent is untested.
GERMAN_DIGITS = {
    "null": ("N UH L", 0),
    "null_": ("N AH L", 0),
    "eins": ("AY N S", 1),
    "zwei": ("T S V AY", 2),
    "zwo": ("T S V OW", 2),
    "drei": ("D R AY", 3),
    "drei_": ("D AY", 3),
    "vier": ("F IY R", 4),
    "vier_": ("F IH R", 4),
    "fünf": ("F IH N F", 5),
    "sechs": ("Z EH K S", 6),
    "sechs_": ("S EH K S", 6),
    "sieben": ("Z IY B AH N", 7),
    "acht": ("AA K T", 8),
    "neun": ("N OY N", 9),
}
GERMAN_WORDS = {
    "ich": "IH SH",
    "stimme": "SH T IH M AH",
    "zu": "T S UW",
    "dass": "D AA S",
    "signet": "S IH G N EH T",
    "mein": "M AY N",
    "gesicht": "G AH Z IH SH T",
    "animieren": "AA N IY M IY R AH N",
    "darf": "D AA R F",
    "code": "K OW D",
    "ist": "IH S T",
}


def german_words_to_digits(transcript: str) -> str:
    """Digits of the German digit words in a transcript ("acht drei_ null" -> "830"); a
    trailing underscore marks a second pronunciation of the same word."""
    return "".join(
        str(GERMAN_DIGITS[word][1]) for word in transcript.lower().split() if word in GERMAN_DIGITS
    )


@dataclass(frozen=True)
class SpokenCodeCheck:
    """`matched`: the code's digits were heard in a row. `digits_correct`: the most code digits
    heard in their places, for the best alignment of the code on what was heard; the
    recogniser confuses single digits (e.g. "five"/"nine"), so 5 of 6 is worth a moderator's
    look, not a verdict of fraud."""

    heard_digits: str
    expected: str
    matched: bool
    digits_correct: int = 0

    @property
    def explanation(self) -> str:
        heard = " ".join(self.heard_digits) or "no digits"
        if self.matched:
            return f"Heard {heard}: the one-time code was spoken."
        return (
            f"Heard {heard}, expected {' '.join(self.expected)}: "
            f"{self.digits_correct} of {len(self.expected)} digits recognised in place."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "heard_digits": self.heard_digits,
            "expected": self.expected,
            "matched": self.matched,
            "digits_correct": self.digits_correct,
            "explanation": self.explanation,
        }


def words_to_digits(transcript: str) -> str:
    """The digits spoken in a transcript, in order: "four seven oh" -> "470",
    "forty seven" -> "47", "double five" -> "55", "nineteen" -> "19", "4 7" -> "47",
    "three hundred and five" -> "305". Other words are ignored.
    """
    tokens = re.findall(r"[a-z]+|\d", transcript.lower().replace("-", " "))
    digits: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if token.isdigit():
            digits.append(token)
        elif token in _REPEATS and following in _UNITS:
            digits.append(str(_UNITS[following]) * _REPEATS[token])
            index += 1
        elif token in _UNITS and following == "hundred":
            rest, used = _below_hundred(tokens, index + 2)
            digits.append(f"{_UNITS[token]}{rest:02d}")
            index += 1 + used  # past "hundred" and the words of the rest
        elif token in _UNITS:
            digits.append(str(_UNITS[token]))
        elif token in _TEENS:
            digits.append(str(_TEENS[token]))
        elif token in _TENS:
            if following in _UNITS and _UNITS[following] > 0 and following not in ("oh", "o"):
                digits.append(f"{_TENS[token]}{_UNITS[following]}")
                index += 1
            else:
                digits.append(f"{_TENS[token]}0")
        index += 1
    return "".join(digits)


def _below_hundred(tokens: list[str], start: int) -> tuple[int, int]:
    """The number 0-99 spoken from tokens[start] on ("and" may come first), and how many
    tokens it took; (0, 0) when no number follows ("nine hundred")."""
    position = start + 1 if start < len(tokens) and tokens[start] == "and" else start
    word = tokens[position] if position < len(tokens) else None
    following = tokens[position + 1] if position + 1 < len(tokens) else None
    if word in _TEENS:
        return _TEENS[word], position + 1 - start
    if word in _TENS:
        if following in _UNITS and _UNITS[following] > 0:
            return _TENS[word] * 10 + _UNITS[following], position + 2 - start
        return _TENS[word] * 10, position + 1 - start
    if word in _UNITS and word not in ("oh", "o"):
        return _UNITS[word], position + 1 - start
    return 0, 0


def code_spoken(transcript: str, code: str, language: str = "en") -> SpokenCodeCheck:
    """Whether the code's digits were heard in a row somewhere in the transcript."""
    heard = german_words_to_digits(transcript) if language == "de" else words_to_digits(transcript)
    return SpokenCodeCheck(
        heard_digits=heard,
        expected=code,
        matched=bool(code) and code in heard,
        digits_correct=_best_alignment(heard, code),
    )


def _best_alignment(heard: str, code: str) -> int:
    """Most positions where code and heard agree, sliding the code along what was heard
    (also partly off either end)."""
    best = 0
    for offset in range(-len(code) + 1, len(heard)):
        agree = sum(
            1
            for position, digit in enumerate(code)
            if 0 <= offset + position < len(heard) and heard[offset + position] == digit
        )
        best = max(best, agree)
    return best


class _Recogniser:
    """One pocketsphinx decoder per process (model load ~0.3 s, ~20 MB), grammars added on
    demand. A decoder holds one utterance at a time, so decoding is serialised by a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._decoder: Decoder | None = None
        self._open_search = ""
        self._grammars: set[str] = set()

    def _loaded(self) -> Decoder:
        if self._decoder is None:
            # Decoder() with no model arguments uses the en-us model inside the pocketsphinx
            # package (pocketsphinx.get_model_path()).
            self._decoder = Decoder(samprate=SAMPLE_RATE, loglevel="FATAL")
            self._open_search = self._decoder.current_search()
        return self._decoder

    def decode(self, pcm: np.ndarray, lead_in: str | None, language: str = "en") -> str:
        with self._lock:
            decoder = self._loaded()
            if lead_in is None:
                decoder.activate_search(self._open_search)
            elif language == "de":
                decoder.activate_search(self._german_grammar(decoder, lead_in))
            else:
                decoder.activate_search(self._grammar(decoder, lead_in))
            decoder.start_utt()
            decoder.process_raw(pcm.tobytes(), full_utt=True)
            decoder.end_utt()
            hypothesis = decoder.hyp()
        return hypothesis.hypstr if hypothesis is not None else ""

    def _grammar(self, decoder: Decoder, lead_in: str) -> str:
        words = re.findall(r"[a-z']+", lead_in.lower())
        unknown = [word for word in words if decoder.lookup_word(word) is None]
        if unknown:
            raise ValueError(f"words not in the recogniser's dictionary: {', '.join(unknown)}")
        name = "code_" + hashlib.sha1(" ".join(words).encode()).hexdigest()[:12]
        if name not in self._grammars:
            # Each lead-in word is optional: people skip or swallow words, and a grammar that
            # demands every one makes the whole utterance fail to decode.
            lead = " ".join(f"[{word}]" for word in words)
            jsgf = (
                "#JSGF V1.0;\ngrammar code;\n"
                f"public <utterance> = {lead} <digit>+;\n"
                f"<digit> = {' | '.join(_DIGIT_WORDS + ('oh',))};\n"
            )
            decoder.add_jsgf_string(name, jsgf)
            self._grammars.add(name)
        return name


    def _german_grammar(self, decoder: Decoder, lead_in: str) -> str:
        words = re.findall(r"[a-zäöüß]+", lead_in.lower())
        unknown = [word for word in words if word not in GERMAN_WORDS]
        if unknown:
            raise ValueError(f"German words without a pronunciation: {', '.join(unknown)}")
        name = "code_de_" + hashlib.sha1(" ".join(words).encode()).hexdigest()[:12]
        if name not in self._grammars:
            for word, phones in {**GERMAN_WORDS, **{w: p for w, (p, _) in GERMAN_DIGITS.items()}}.items():
                # Kept apart from the English dictionary's words by a prefix ("de_acht").
                decoder.add_word(f"de_{word}", phones, False)
            lead = " ".join(f"[de_{word}]" for word in words)
            digits = " | ".join(f"de_{word}" for word in GERMAN_DIGITS)
            jsgf = (
                "#JSGF V1.0;\ngrammar code;\n"
                f"public <utterance> = {lead} <digit>+;\n"
                f"<digit> = {digits};\n"
            )
            decoder.add_jsgf_string(name, jsgf)
            self._grammars.add(name)
        return name


_recogniser = _Recogniser()


def transcribe(
    pcm_16k_mono: np.ndarray, *, lead_in: str | None = DEFAULT_LEAD_IN, language: str = "en"
) -> str:
    """Lower-case words heard in 16 kHz mono audio (int16, or float in [-1, 1]).

    With `lead_in` (the words said before the code, e.g. consent.spoken_lead_in()) the audio is
    decoded against "lead-in words, then digits"; with lead_in=None against pocketsphinx's
    open English language model. An empty string means nothing fitted.
    """
    text = _recogniser.decode(_as_int16(pcm_16k_mono), lead_in, language)
    return text.replace("de_", "") if language == "de" else text


def trim_silence(samples: np.ndarray, rate: int = SAMPLE_RATE, margin: float = 0.4) -> np.ndarray:
    """The stretch from the first to the last loud moment (plus `margin` s each side).

    Decoding costs ~0.5 s of CPU per second of audio; a 14 s consent recording holds ~5 s of
    speech, and the silence around it only gives the grammar room to invent digits. "Loud" is
    a tenth of the recording's near-peak level (or 0.005 full scale, whichever is higher), so
    steady room noise stays out."""
    samples = np.asarray(samples)
    if samples.size == 0:
        return samples
    hop = int(0.02 * rate)
    usable = samples[: len(samples) // hop * hop].astype(np.float64)
    if usable.size == 0:
        return samples
    level = np.sqrt((usable.reshape(-1, hop) ** 2).mean(axis=1))
    loud = np.flatnonzero(level > max(0.005, 0.1 * np.percentile(level, 99)))
    if loud.size == 0:
        return samples[:0]
    start = max(0, loud[0] * hop - int(margin * rate))
    end = min(len(samples), (loud[-1] + 1) * hop + int(margin * rate))
    return samples[start:end]


def check_spoken_code(
    pcm_16k_mono: np.ndarray, code: str, *, lead_in: str | None = DEFAULT_LEAD_IN
) -> SpokenCodeCheck:
    return code_spoken(transcribe(pcm_16k_mono, lead_in=lead_in), code)


def _as_int16(pcm: np.ndarray) -> np.ndarray:
    samples = np.asarray(pcm)
    if samples.ndim != 1:
        raise ValueError(f"expected mono audio (1-D samples), got shape {samples.shape}")
    if samples.dtype == np.int16:
        return np.ascontiguousarray(samples)
    if np.issubdtype(samples.dtype, np.floating):
        return (np.clip(samples, -1.0, 1.0) * 32767).astype(np.int16)
    raise ValueError(f"expected int16 or float samples, got {samples.dtype}")
