"""The classical talking-portrait animator's parts: face geometry from 68 landmarks, a motion
plan from audio features, backward warp maps, and the mouth-interior painter."""
