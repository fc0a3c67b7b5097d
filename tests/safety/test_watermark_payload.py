"""Payload coding: error correction on soft readings, and a checksum that noise does not pass."""

import numpy as np
import pytest

from safety.watermark.payload import CODED_BITS, MAX_PAYLOAD_ID, PayloadCode

KEY = b"test-watermark-key"


@pytest.mark.parametrize("payload_id", [0, 1, 123_456_789, MAX_PAYLOAD_ID])
def test_noisy_soft_readings_decode_to_the_embedded_id(payload_id: int) -> None:
    code = PayloadCode(KEY)
    symbols = code.encode(payload_id).astype(np.float64)
    rng = np.random.default_rng(payload_id % 1000)
    # Noise as strong as the signal: about 16 % of the symbols arrive with the wrong sign.
    soft = symbols + rng.normal(0.0, 1.0, CODED_BITS)
    assert (np.sign(soft) != symbols).sum() > 10
    decoded = code.decode(soft)
    assert decoded.payload_id == payload_id
    assert decoded.checksum_ok


def test_flipped_hard_bits_are_corrected() -> None:
    code = PayloadCode(KEY)
    symbols = code.encode(987_654_321).astype(np.float64)
    flipped = symbols.copy()
    flipped[::16] *= -1  # 11 wrong bits spread over the block
    assert code.decode(flipped).payload_id == 987_654_321


def test_random_soft_inputs_never_decode_as_an_id() -> None:
    code = PayloadCode(KEY)
    noise = np.random.default_rng(2024).normal(0.0, 1.0, (10_000, CODED_BITS))
    decoded = code.decode_many(noise)
    assert len(decoded) == 10_000
    assert [d for d in decoded if d.payload_id is not None] == []


def test_a_mark_made_under_another_key_fails_the_checksum() -> None:
    symbols = PayloadCode(b"another-server").encode(42).astype(np.float64)
    decoded = PayloadCode(KEY).decode(symbols)
    assert decoded.payload_id is None
    assert not decoded.checksum_ok


def test_ids_outside_32_bits_are_refused() -> None:
    with pytest.raises(ValueError):
        PayloadCode(KEY).encode(MAX_PAYLOAD_ID + 1)
    with pytest.raises(ValueError):
        PayloadCode(KEY).encode(-1)
    with pytest.raises(ValueError):
        PayloadCode(b"")
