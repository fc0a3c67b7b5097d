"""Spoken one-time code benchmark: how often the offline recogniser (safety/speech.py) hears the
issued code, in English and in German, and how often it "hears" it when another code was said.

The speech is SYNTHETIC: espeak-ng's voices (German: de, de+m3, de+f2, de+klatt; English:
en-us, en-us+m3, en-us+f2, en-us+klatt) read the consent sentence at 130, 150 or 175 words a
minute, clean or with white noise at 20 or 10 dB SNR, trimmed to the voice as the studio does.
No other offline German voice is installable here (mbrola and pico are not packaged), and no
recording of a person is measured: a native speaker's accent is untested.

Per language, three sets of the same clips: "issued" (the code said is the code issued),
"wrong" (a different random code said), "one_off" (the code said differs from the issued one in
one digit). Two recogniser modes: "issued" (the grammar knows the issued code, as the studio
uses it) and "blind" (digits only, no code: the recogniser's own accuracy).

    .venv/bin/python bench/spoken_code.py [--clips 24] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from bench._stats import wilson
from generation.media.audio import decode_audio  # noqa: E402
from safety import speech  # noqa: E402
from safety.consent import spoken_lead_in, spoken_sentence  # noqa: E402
from safety.speech import code_spoken, transcribe, trim_silence  # noqa: E402

VOICES = {
    "de": ("de", "de+m3", "de+f2", "de+klatt"),
    "en": ("en-us", "en-us+m3", "en-us+f2", "en-us+klatt"),
}
SPEEDS = (130, 150, 175)
NOISE_SNR_DB = (None, 20, 10)



def speak(text: str, voice: str, speed: int) -> np.ndarray:
    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "said.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(wav), text], check=True
        )
        return decode_audio(wav, sample_rate=16_000).samples


def random_code(rng: random.Random) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(6))


def one_off(code: str, rng: random.Random) -> str:
    position = rng.randrange(len(code))
    other = rng.choice([d for d in "0123456789" if d != code[position]])
    return code[:position] + other + code[position + 1 :]


def clips(language: str, count: int, seed: int):
    rng = random.Random(seed)
    for index in range(count):
        said = random_code(rng)
        voice = VOICES[language][index % len(VOICES[language])]
        speed = SPEEDS[(index // 4) % len(SPEEDS)]
        snr = (
            NOISE_SNR_DB[(index // 12) % len(NOISE_SNR_DB)]
            if count > 12
            else rng.choice(NOISE_SNR_DB)
        )
        audio = speak(spoken_sentence(said, language=language), voice, speed)
        if snr is not None:
            power = float(np.mean(audio**2))
            noise = np.random.default_rng(seed + index).normal(
                0, math.sqrt(power / 10 ** (snr / 10)), audio.shape
            )
            audio = (audio + noise).astype(np.float32)
        yield said, trim_silence(audio), f"{voice}@{speed}/{snr or 'clean'}", rng


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=24, help="clips per language")
    parser.add_argument("--languages", default="de,en")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--digit-weight", type=float, help="override speech.EXPECTED_DIGIT_WEIGHT (calibration)"
    )
    parser.add_argument("--json", action="store_true", help="last line: one JSON object")
    args = parser.parse_args()
    if args.digit_weight is not None:
        speech.EXPECTED_DIGIT_WEIGHT = args.digit_weight
    out = sys.stderr if args.json else sys.stdout
    summary: dict[str, dict] = {}
    for language in args.languages.split(","):
        lead_in = spoken_lead_in(language=language)
        counts = {key: 0 for key in ("issued", "blind", "wrong", "one_off")}
        wrong_digits: list[int] = []
        started = time.perf_counter()
        total = 0
        for said, audio, label, rng in clips(language, args.clips, args.seed):
            total += 1
            issued = code_spoken(
                transcribe(audio, lead_in=lead_in, language=language, code=said), said, language
            )
            blind = code_spoken(
                transcribe(audio, lead_in=lead_in, language=language), said, language
            )
            wrong_code = random_code(rng)
            wrong = code_spoken(
                transcribe(audio, lead_in=lead_in, language=language, code=wrong_code),
                wrong_code,
                language,
            )
            near = one_off(said, rng)
            near_check = code_spoken(
                transcribe(audio, lead_in=lead_in, language=language, code=near), near, language
            )
            counts["issued"] += issued.matched
            counts["blind"] += blind.matched
            counts["wrong"] += wrong.matched
            wrong_digits.append(wrong.digits_correct)
            counts["one_off"] += near_check.matched
            print(
                f"{language} {label:<22} said {said}: issued {issued.heard_digits or '-':>8} "
                f"blind {blind.heard_digits or '-':>9} wrong {wrong.matched} one-off {near_check.matched}",
                file=out,
                flush=True,
            )
        seconds = time.perf_counter() - started
        summary[language] = {
            "n": total,
            **{
                key: {
                    "rate": round(value / total, 3),
                    "ci95": list(wilson(value, total)),
                }
                for key, value in counts.items()
            },
            "wrong_code_digits_in_place_max": max(wrong_digits, default=0),
            "digit_weight": speech.EXPECTED_DIGIT_WEIGHT,
            "seconds_per_decode": round(seconds / max(total, 1) / 4, 2),
        }
    print(
        f"{'language':<10}{'n':>4}  {'issued code heard':<24}{'blind (no code)':<24}{'wrong code matched':<24}{'one digit off matched':<24}",
        file=out,
    )
    for language, row in summary.items():
        cells = [
            f"{row[k]['rate']:.2f} [{row[k]['ci95'][0]:.2f}-{row[k]['ci95'][1]:.2f}]"
            for k in ("issued", "blind", "wrong", "one_off")
        ]
        print(f"{language:<10}{row['n']:>4}  " + "".join(f"{c:<24}" for c in cells), file=out)
    if args.json:
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
