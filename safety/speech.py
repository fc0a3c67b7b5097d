"""Was the one-time code spoken in the consent recording? An offline, advisory check.

pocketsphinx (CMU Sphinx) decodes with the US-English acoustic model and dictionary that its
wheel ships; nothing is downloaded. Its open-vocabulary recogniser is weak on short clips, so
the audio is decoded against a small grammar: the words of the consent sentence before the
code (each may be skipped) followed by the code. Given the issued code, the grammar weighs
"exactly this code" against "any other code of the same length" (see _jsgf), a likelihood-ratio
test that a different code read aloud loses. German digit words are spelt in the English phone
set. The grammar forces any speech into digit words, so the result is only meaningful for a
recording of that sentence. It is shown to moderators, never a gate on its own: a code not
heard holds consent for a moderator.
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


# German over pocketsphinx's English acoustic model: the digit words, the numbers 10-99 (a
# person may read "4 7" as "siebenundvierzig") and the words of the German consent sentence,
# spelt in the English (CMU) phone set as closely as it allows: no /x/, /ç/, /y/ or /ø/, so
# "acht" ends in K T or HH T, "ich" in SH, "fünf" takes IH or UW, "zwölf" ER. Several spellings
# per word (a trailing underscore marks the second, third...). Measured with espeak-ng's German
# voices (bench/spoken_code.py); a native speaker's accent is untested.
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
# Numbers 10-99 ("siebenundvierzig" for "4 7"), read from a transcript but not offered to the
# recogniser: in the grammar they cost more single digits than they won (measured on espeak-ng's
# German voices: "elf", "achtzig" took the place of digit pairs that were said one by one).
_GERMAN_TEENS = {
    "zehn": 10, "elf": 11, "zwölf": 12, "dreizehn": 13, "vierzehn": 14, "fünfzehn": 15,
    "sechzehn": 16, "siebzehn": 17, "achtzehn": 18, "neunzehn": 19,
}  # fmt: skip
_GERMAN_TENS = {
    "zwanzig": 2, "dreißig": 3, "vierzig": 4, "fünfzig": 5, "sechzig": 6, "siebzig": 7,
    "achtzig": 8, "neunzig": 9,
}  # fmt: skip
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


def _base(word: str) -> str:
    return word.rstrip("_")


_GERMAN_DIGIT_VALUES = {_base(w): v for w, (_, v) in GERMAN_DIGITS.items()}
_GERMAN_UNIT_VALUES = {"ein": 1} | {w: v for w, v in _GERMAN_DIGIT_VALUES.items() if v >= 2}
_GERMAN_TEEN_VALUES = _GERMAN_TEENS
_GERMAN_TEN_VALUES = _GERMAN_TENS


def german_words_to_digits(transcript: str) -> str:
    """Digits of the German number words in a transcript, in order: "acht drei_ null" -> "830"
    (a trailing underscore marks another pronunciation of the same word), "zwo" -> "2",
    "sieben und vierzig" or "siebenundvierzig" -> "47", "zwölf" -> "12", "zwanzig" -> "20".
    Other words are ignored."""
    tokens = [_base(word) for word in transcript.lower().replace("-", " ").split()]
    tokens = [part for token in tokens for part in _split_german_compound(token)]
    digits: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        ahead = tokens[index + 1 : index + 3]
        if token in _GERMAN_UNIT_VALUES and len(ahead) == 2 and ahead[0] == "und":
            if ahead[1] in _GERMAN_TEN_VALUES:
                digits.append(f"{_GERMAN_TEN_VALUES[ahead[1]]}{_GERMAN_UNIT_VALUES[token]}")
                index += 3
                continue
        if token in _GERMAN_DIGIT_VALUES:
            digits.append(str(_GERMAN_DIGIT_VALUES[token]))
        elif token in _GERMAN_TEEN_VALUES:
            digits.append(str(_GERMAN_TEEN_VALUES[token]))
        elif token in _GERMAN_TEN_VALUES:
            digits.append(f"{_GERMAN_TEN_VALUES[token]}0")
        index += 1
    return "".join(digits)


def _split_german_compound(token: str) -> list[str]:
    """ "siebenundvierzig" -> ["sieben", "und", "vierzig"]; other words unchanged."""
    unit, found, tens = token.partition("und")
    if found and unit in _GERMAN_UNIT_VALUES and tens in _GERMAN_TEN_VALUES:
        return [unit, "und", tens]
    return [token]


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
        self._german_added = False

    def _loaded(self) -> Decoder:
        if self._decoder is None:
            # Decoder() with no model arguments uses the en-us model inside the pocketsphinx
            # package (pocketsphinx.get_model_path()).
            # bestpath=False: the hypothesis from the grammar search itself, not rescored on a
            # lattice (which ignored the grammar's weights and took 4-5 times longer).
            self._decoder = Decoder(samprate=SAMPLE_RATE, loglevel="FATAL", bestpath=False)
            self._open_search = self._decoder.current_search()
        return self._decoder

    def decode(
        self, pcm: np.ndarray, lead_in: str | None, language: str = "en", code: str | None = None
    ) -> str:
        with self._lock:
            decoder = self._loaded()
            if lead_in is None:
                return self._run(decoder, self._open_search, pcm)
            words, spoken = self._vocabulary(decoder, lead_in, language)
            heard = ""
            if code is not None:
                # A grammar per issued code, dropped after use (or a worker's decoder grows).
                name = "code_" + hashlib.sha1(f"{language}/{words}/{code}".encode()).hexdigest()
                decoder.add_fsg(name, _code_grammar(decoder, name, words, spoken, code))
                heard = self._run(decoder, name, pcm)
                decoder.activate_search(self._open_search)
                decoder.remove_search(name)
            if not heard:
                # No code, or the code grammar found no complete path (fewer digit words in
                # the audio than the code has): one or more digits, whatever was said.
                name = "digits_" + hashlib.sha1(f"{language}/{words}".encode()).hexdigest()
                if name not in self._grammars:
                    decoder.add_jsgf_string(name, _jsgf(words, spoken))
                    self._grammars.add(name)
                heard = self._run(decoder, name, pcm)
        return heard

    @staticmethod
    def _run(decoder: Decoder, name: str, pcm: np.ndarray) -> str:
        decoder.activate_search(name)
        decoder.start_utt()
        decoder.process_raw(pcm.tobytes(), full_utt=True)
        decoder.end_utt()
        hypothesis = decoder.hyp()
        return hypothesis.hypstr if hypothesis is not None else ""

    def _vocabulary(
        self, decoder: Decoder, lead_in: str, language: str
    ) -> tuple[list[str], dict[int, list[str]]]:
        """The lead-in words and each digit's words (one per pronunciation), as the decoder
        knows them."""
        if language == "de":
            words = re.findall(r"[a-zäöüß]+", lead_in.lower())
            unknown = [word for word in words if word not in GERMAN_WORDS]
            if unknown:
                raise ValueError(f"German words without a pronunciation: {', '.join(unknown)}")
            if not self._german_added:
                spelt = GERMAN_WORDS | {word: phones for word, (phones, _) in GERMAN_DIGITS.items()}
                for word, phones in spelt.items():
                    # Kept apart from the English dictionary's words by a prefix ("de_acht").
                    decoder.add_word(f"de_{word}", phones, False)
                self._german_added = True
            spoken = {value: [] for value in range(10)}
            for word, (_, value) in GERMAN_DIGITS.items():
                spoken[value].append(f"de_{word}")
            words = [f"de_{word}" for word in words]
        else:
            words = re.findall(r"[a-z']+", lead_in.lower())
            unknown = [word for word in words if decoder.lookup_word(word) is None]
            if unknown:
                raise ValueError(f"words not in the recogniser's dictionary: {', '.join(unknown)}")
            spoken = {value: [word] for value, word in enumerate(_DIGIT_WORDS)}
            spoken[0].append("oh")
        return words, spoken


# How much likelier, a priori, each digit of the issued code is than any other digit in its
# place (the weight of its arc in the code grammar). Calibrated with bench/spoken_code.py on 24
# German and 24 English clips of espeak-ng's voices (4 each, 130-175 words/min, clean and with
# white noise at 20 and 10 dB SNR): the issued code was heard in 24/24 German and 24/24 English
# clips at 1e40 (18/24 and 16/21 at 1e12, before the dither below); a different random code
# matched 0 times at every weight tried (at most 4 of its 6 digits in place), a code one digit
# off 3/24 German and 2/24 English. pocketsphinx's acoustic scores are so peaked that small
# weights change little (1e3 turned 1 of 8 German codes). A tone, noise, the sentence without
# its code or unrelated talk never complete the code grammar (the decoder then falls back to
# "any digits"), so the weight cannot put a code into them.
EXPECTED_DIGIT_WEIGHT = 1e40


def _jsgf(lead_words: list[str], spoken: dict[int, list[str]]) -> str:
    """Lead-in words, each optional, then one or more digits (no code known).

    Each lead-in word is optional: people skip or swallow words, and a grammar that demands
    every one makes the whole utterance fail to decode."""
    lead = " ".join(f"[{word}]" for word in lead_words)
    every = " | ".join(word for value in range(10) for word in spoken[value])
    return (
        f"#JSGF V1.0;\ngrammar code;\npublic <utterance> = {lead} <digit>+;\n<digit> = {every};\n"
    )


def _code_grammar(
    decoder: Decoder, name: str, lead_words: list[str], spoken: dict[int, list[str]], code: str
):
    """Lead-in words, each optional, then exactly as many digits as the issued code has, each
    place weighing the issued digit EXPECTED_DIGIT_WEIGHT times any other digit.

    The decoder so settles on the issued digit when the audio fits it nearly as well as the
    best other digit: a likelihood-ratio test, place by place, between "the issued digit was
    said" and "another digit was said". A different code read aloud differs in most places and
    is heard as itself where it is said clearly (measured: see EXPECTED_DIGIT_WEIGHT). The
    fixed length keeps a swallowed lead-in word ("ist", "is") or a breath from becoming an
    extra digit; every code has that length, so it says nothing about the digits. (JSGF weights
    had no effect on pocketsphinx's search, so the grammar is built as a weighted FSG.)"""
    transitions: list[tuple] = []
    state = 0
    for word in lead_words:
        transitions += [(state, state + 1, 0.5, word), (state, state + 1, 0.5)]
        state += 1
    for issued in code:
        weights = {
            word: EXPECTED_DIGIT_WEIGHT if value == int(issued) else 1.0
            for value in range(10)
            for word in spoken[value]
        }
        total = sum(weights.values())
        transitions += [(state, state + 1, w / total, word) for word, w in weights.items()]
        state += 1
    return decoder.create_fsg(name, 0, state, transitions)


_recogniser = _Recogniser()


def transcribe(
    pcm_16k_mono: np.ndarray,
    *,
    lead_in: str | None = DEFAULT_LEAD_IN,
    language: str = "en",
    code: str | None = None,
) -> str:
    """Lower-case words heard in 16 kHz mono audio (int16, or float in [-1, 1]).

    With `lead_in` (the words said before the code, e.g. consent.spoken_lead_in()) the audio is
    decoded against "lead-in words, then digits"; with lead_in=None against pocketsphinx's
    open English language model. With `code` (the one the server issued, never one the client
    sent) the grammar weighs that code against every other code of its length (see _jsgf).
    An empty string means nothing fitted.
    """
    text = _recogniser.decode(_dithered(_as_int16(pcm_16k_mono)), lead_in, language, code)
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
    return code_spoken(transcribe(pcm_16k_mono, lead_in=lead_in, code=code), code)


def _dithered(pcm: np.ndarray) -> np.ndarray:
    """The samples with +-2 LSB of fixed pseudo-random noise: stretches of exact digital
    silence (synthetic speech, a muted microphone) give the recogniser's log-energy features
    minus infinity, and the code grammar then found no path through clips it heard with any
    noise at all. Seeded, so the same audio always decodes the same way."""
    noise = np.random.default_rng(0).integers(-2, 3, size=len(pcm))
    return np.clip(pcm.astype(np.int32) + noise, -32768, 32767).astype(np.int16)


def _as_int16(pcm: np.ndarray) -> np.ndarray:
    samples = np.asarray(pcm)
    if samples.ndim != 1:
        raise ValueError(f"expected mono audio (1-D samples), got shape {samples.shape}")
    if samples.dtype == np.int16:
        return np.ascontiguousarray(samples)
    if np.issubdtype(samples.dtype, np.floating):
        return (np.clip(samples, -1.0, 1.0) * 32767).astype(np.int16)
    raise ValueError(f"expected int16 or float samples, got {samples.dtype}")
