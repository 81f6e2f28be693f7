"""Decide a text file's encoding from its bytes: BOMs, UTF-8 validity, then charset-normalizer."""

from __future__ import annotations

import codecs
from dataclasses import dataclass

import charset_normalizer

__all__ = ["EncodingGuess", "detect_encoding", "looks_binary", "utf8_error_offsets"]

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_TEXT_CONTROL = {9, 10, 12, 13, 27}
# A file whose invalid UTF-8 sequences exceed this share of its valid multi-byte sequences is
# not "UTF-8 with a few bad bytes" but a single-byte encoding such as cp1252.
_MAX_BAD_SHARE = 0.05
_DETECT_BYTES = 256 * 1024
_MAX_MATCHES = 5
_WESTERN = {"cp1252", "latin_1", "iso8859-1", "iso8859-15"}


@dataclass(frozen=True)
class EncodingGuess:
    """The codec to decode with, how many BOM bytes to skip, why, and how sure (0-1)."""

    codec: str
    bom_length: int
    reason: str
    confidence: float = 1.0

    @property
    def is_utf8(self) -> bool:
        """Whether the bytes after the BOM can be used as UTF-8 without transcoding."""
        return self.codec in {"utf-8", "utf-8-sig"}


def looks_binary(sample: bytes) -> bool:
    """Heuristic: more than 10% control bytes (NUL etc.) in a sample that has no UTF-16 BOM."""
    if not sample or any(sample.startswith(bom) for bom, _ in _BOMS):
        return False
    if _utf16_without_bom(sample) is not None:
        return False
    controls = sum(1 for b in sample if b < 32 and b not in _TEXT_CONTROL)
    return controls / len(sample) > 0.10


def _utf16_without_bom(sample: bytes) -> str | None:
    """Detect BOM-less UTF-16 from NULs in every other byte of mostly-ASCII text."""
    pairs = len(sample) // 2
    if pairs < 8:
        return None
    even_nuls = sample[0 : 2 * pairs : 2].count(0)
    odd_nuls = sample[1 : 2 * pairs : 2].count(0)
    if odd_nuls > 0.8 * pairs and even_nuls < 0.05 * pairs:
        return "utf-16-le"
    if even_nuls > 0.8 * pairs and odd_nuls < 0.05 * pairs:
        return "utf-16-be"
    return None


def utf8_error_offsets(data: bytes) -> list[int]:
    """Byte offsets of every invalid UTF-8 sequence in `data` (empty when it is valid)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return []
    offsets: list[int] = []

    def record(exc: UnicodeError) -> tuple[str, int]:
        assert isinstance(exc, UnicodeDecodeError)
        offsets.append(exc.start)
        return ("\ufffd", exc.end)

    name = "thresher-record-offsets"
    codecs.register_error(name, record)
    data.decode("utf-8", errors=name)
    return offsets


def detect_encoding(data: bytes, declared: str | None = None) -> EncodingGuess:
    """Pick a codec for `data` (the whole file, or a large leading sample of it)."""
    if declared:
        try:
            codecs.lookup(declared)
        except LookupError as exc:
            msg = f"unknown encoding `{declared}`: use a Python codec name such as utf-8 or cp1252"
            raise ValueError(msg) from exc
        skip = next((len(b) for b, c in _BOMS if data.startswith(b) and c.startswith("utf")), 0)
        return EncodingGuess(declared, skip if declared.lower().startswith("utf") else 0, "given")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return EncodingGuess(codec, len(bom), "byte-order mark")
    utf16 = _utf16_without_bom(data[:65536])
    if utf16 is not None:
        return EncodingGuess(utf16, 0, "NUL bytes in every other position (UTF-16 without BOM)")
    if data.isascii():  # a memchr-speed check; decoding 128 MiB to test validity is not
        return EncodingGuess("utf-8", 0, "valid UTF-8")
    bad = utf8_error_offsets(data)
    if not bad:
        return EncodingGuess("utf-8", 0, "valid UTF-8")
    valid_multibyte = _count_lead_bytes(data) - len(bad)
    if valid_multibyte > 0 and len(bad) <= max(1.0, _MAX_BAD_SHARE * valid_multibyte):
        share = round(1.0 - len(bad) / (valid_multibyte + len(bad)), 3)
        reason = f"UTF-8 with {len(bad)} undecodable byte sequence(s)"
        return EncodingGuess("utf-8", 0, reason, share)
    return _detect_legacy(data)


def _detect_legacy(data: bytes) -> EncodingGuess:
    """A legacy code page for non-UTF-8 bytes: charset-normalizer's verdict on a sample.

    cp1252 is taken only when the detector agrees: its best match reads the sample exactly as
    cp1252 does (cp1250 and cp1252 agree on most Western text) or it names cp1252/latin-1.
    A verdict that would change the ASCII structure (line ends, delimiters, quotes) is refused.
    """
    sample = data[:_DETECT_BYTES]
    if len(data) > _DETECT_BYTES and b"\n" in sample:
        sample = sample[: sample.rfind(b"\n") + 1]
    western = _decode_or_none(sample, "cp1252")
    for match in list(charset_normalizer.from_bytes(sample))[:_MAX_MATCHES]:
        codec = codecs.lookup(match.encoding).name
        text = str(match)
        confidence = round(max(0.0, 1.0 - float(match.chaos)), 3)
        if western is not None and (text == western or codec in _WESTERN):
            reason = f"not UTF-8; charset-normalizer agrees with cp1252 (best match {codec})"
            return EncodingGuess("cp1252", 0, reason, confidence)
        if not _same_structure(sample, text):
            continue
        reason = f"not UTF-8; charset-normalizer detected {codec}"
        return EncodingGuess(codec, 0, reason, confidence)
    if western is not None:
        return EncodingGuess("cp1252", 0, "not UTF-8; no detector verdict, every byte cp1252", 0.0)
    return EncodingGuess("latin-1", 0, "not UTF-8 and not cp1252; read as latin-1", 0.0)


def _decode_or_none(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _same_structure(raw: bytes, text: str) -> bool:
    """Whether decoding kept every line end, usual delimiter and quote of `raw`."""
    return all(raw.count(char.encode()) == text.count(char) for char in '\n,;\t|"')


def _count_lead_bytes(data: bytes) -> int:
    """Number of bytes that start a multi-byte UTF-8 sequence (0xC2-0xF4)."""
    return len(data) - len(data.translate(None, bytes(range(0xC2, 0xF5))))
