"""Reading, checking and writing media files (images, audio, MP4) with plain values."""

from generation.media.audio import AudioInfo, DecodedAudio, decode_audio, probe_audio
from generation.media.errors import MediaError
from generation.media.images import ImageInfo, load_image_rgb, probe_image
from generation.media.video import Mp4Writer, VideoInfo, iter_video_frames, probe_video

__all__ = [
    "AudioInfo",
    "DecodedAudio",
    "ImageInfo",
    "MediaError",
    "Mp4Writer",
    "VideoInfo",
    "decode_audio",
    "iter_video_frames",
    "load_image_rgb",
    "probe_audio",
    "probe_image",
    "probe_video",
]
