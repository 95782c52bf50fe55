"""Reading encoded video frames without decoding them: keyframes and picture sizes.

VP8, VP9 and H.264 frame headers are parsed just far enough to tell a keyframe
and the picture's width and height, which a recorder that writes the encoded
payload (`janus_client.recording.PassthroughRecorder`) needs to start a file at a
keyframe and declare the stream's size. No decoder is involved.
"""

from __future__ import annotations

__all__ = ["h264_frame_size", "is_keyframe", "video_frame_size"]


def is_keyframe(codec: str, data: bytes) -> bool:
    """Whether an encoded frame can be decoded on its own (a keyframe).

    Args:
        codec: FFmpeg codec name: ``"vp8"``, ``"vp9"``, ``"h264"``; any other
            (audio) codec counts every frame as a keyframe.
        data: The frame as aiortc's jitter buffer assembles it (VP8 without its
            payload descriptor, H.264 as an Annex B byte stream).
    """
    if codec == "vp8":
        return bool(data) and not data[0] & 0x01
    if codec == "vp9":
        return _vp9_header(data) is not None
    if codec == "h264":
        return any(nal and nal[0] & 0x1F == 5 for nal in _h264_nal_units(data))
    return True


def video_frame_size(codec: str, data: bytes) -> tuple[int, int] | None:
    """Read the picture size from a keyframe, without decoding it.

    Args:
        codec: ``"vp8"``, ``"vp9"`` or ``"h264"``.
        data: A keyframe (for H.264, one that carries its SPS).

    Returns:
        ``(width, height)``, or None if the frame does not say.
    """
    if codec == "vp8":
        if len(data) < 10 or data[0] & 0x01 or data[3:6] != b"\x9d\x01\x2a":
            return None
        width = (data[6] | data[7] << 8) & 0x3FFF
        height = (data[8] | data[9] << 8) & 0x3FFF
        return (width, height)
    if codec == "vp9":
        return _vp9_header(data)
    if codec == "h264":
        return h264_frame_size(data)
    return None


class _Bits:
    """A big-endian bit reader (raises IndexError past the end)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def bit(self) -> int:
        byte = self.data[self.pos >> 3]
        value = byte >> (7 - (self.pos & 7)) & 1
        self.pos += 1
        return value

    def bits(self, count: int) -> int:
        value = 0
        for _ in range(count):
            value = value << 1 | self.bit()
        return value

    def ue(self) -> int:
        zeros = 0
        while self.bit() == 0:
            zeros += 1
            if zeros > 31:
                raise ValueError("bad Exp-Golomb code")
        return (1 << zeros) - 1 + self.bits(zeros)

    def se(self) -> int:
        value = self.ue()
        return (value + 1) // 2 if value & 1 else -(value // 2)


def _vp9_header(data: bytes) -> tuple[int, int] | None:
    """Size of a VP9 keyframe from its uncompressed header; None if not a keyframe."""
    try:
        bits = _Bits(data)
        if bits.bits(2) != 2:  # frame_marker
            return None
        profile = bits.bit() | bits.bit() << 1
        if profile == 3:
            bits.bit()
        if bits.bit():  # show_existing_frame
            return None
        if bits.bit() != 0:  # frame_type: 0 is KEY_FRAME
            return None
        bits.bits(2)  # show_frame, error_resilient_mode
        if bits.bits(24) != 0x498342:  # sync code
            return None
        if profile >= 2:
            bits.bit()  # ten_or_twelve_bit
        color_space = bits.bits(3)
        if color_space != 7:  # not sRGB
            bits.bit()  # color_range
            if profile in (1, 3):
                bits.bits(3)
        elif profile in (1, 3):
            bits.bit()
        return (bits.bits(16) + 1, bits.bits(16) + 1)
    except IndexError:
        return None


def _h264_nal_units(data: bytes) -> list[bytes]:
    """Split an Annex B byte stream into NAL units (without start codes)."""
    units: list[bytes] = []
    start = data.find(b"\x00\x00\x01")
    while start >= 0:
        begin = start + 3
        end = data.find(b"\x00\x00\x01", begin)
        unit = data[begin:] if end < 0 else data[begin:end]
        units.append(unit.rstrip(b"\x00") if end >= 0 else unit)
        start = end
    return units


_HIGH_PROFILES = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135}


def h264_frame_size(data: bytes) -> tuple[int, int] | None:
    """Picture size from the first SPS in an H.264 Annex B byte stream, or None."""
    for nal in _h264_nal_units(data):
        if nal and nal[0] & 0x1F == 7:
            try:
                return _parse_sps(nal[1:].replace(b"\x00\x00\x03", b"\x00\x00"))
            except (IndexError, ValueError):
                return None
    return None


def _parse_sps(rbsp: bytes) -> tuple[int, int]:
    bits = _Bits(rbsp)
    profile = bits.bits(8)
    bits.bits(16)  # constraint flags, level
    bits.ue()  # seq_parameter_set_id
    chroma_format = 1
    separate_planes = 0
    if profile in _HIGH_PROFILES:
        chroma_format = bits.ue()
        if chroma_format == 3:
            separate_planes = bits.bit()
        bits.ue()  # bit_depth_luma_minus8
        bits.ue()  # bit_depth_chroma_minus8
        bits.bit()  # qpprime_y_zero_transform_bypass_flag
        if bits.bit():  # seq_scaling_matrix_present_flag
            for index in range(8 if chroma_format != 3 else 12):
                if bits.bit():
                    last = scale = 8
                    for _ in range(16 if index < 6 else 64):
                        if scale:
                            scale = (last + bits.se()) % 256
                        last = scale or last
    bits.ue()  # log2_max_frame_num_minus4
    poc_type = bits.ue()
    if poc_type == 0:
        bits.ue()
    elif poc_type == 1:
        bits.bit()
        bits.se()
        bits.se()
        for _ in range(bits.ue()):
            bits.se()
    bits.ue()  # max_num_ref_frames
    bits.bit()  # gaps_in_frame_num_value_allowed_flag
    width_mbs = bits.ue() + 1
    height_units = bits.ue() + 1
    frame_mbs_only = bits.bit()
    if not frame_mbs_only:
        bits.bit()
    bits.bit()  # direct_8x8_inference_flag
    crop = (0, 0, 0, 0)
    if bits.bit():
        crop = (bits.ue(), bits.ue(), bits.ue(), bits.ue())
    if separate_planes or chroma_format == 0:
        unit_x, unit_y = 1, 2 - frame_mbs_only
    else:
        unit_x = 1 if chroma_format == 3 else 2
        unit_y = (2 if chroma_format == 1 else 1) * (2 - frame_mbs_only)
    width = width_mbs * 16 - unit_x * (crop[0] + crop[1])
    height = (2 - frame_mbs_only) * height_units * 16 - unit_y * (crop[2] + crop[3])
    return (width, height)


# -------------------------------------------------------------------- formats
