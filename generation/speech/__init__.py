"""Speech timing for the animator: phones recognised in the audio (pocketsphinx's phonetic
decoder, model shipped in its wheel) and the mouth shapes (visemes) they call for, blended
across neighbours (coarticulation)."""

from generation.speech.phones import Phone, recognise_phones
from generation.speech.visemes import VisemeTrack, viseme_track

__all__ = ["Phone", "VisemeTrack", "recognise_phones", "viseme_track"]
