"""Recordings a media worker never closed: pjmedia writes a WAV header with zero lengths when it opens the
file and fills them in when it closes it, so the recording of a call whose worker died reads as empty.
``repair_unclosed`` writes the lengths the file's data actually has, once the file is clearly abandoned."""

from __future__ import annotations

import logging
import os
import struct
import time
from pathlib import Path

log = logging.getLogger("sori.analytics.stt")

#: A file not written for this long is abandoned (a live recorder writes several times a second, silence too).
ABANDONED_AFTER_S = 60.0


def repair_unclosed(path: Path, abandoned_after_s: float = ABANDONED_AFTER_S) -> bool:
    """Fill in the RIFF and data lengths of an abandoned WAV file whose data length is still 0 but that holds
    audio after its header (whole frames; the file keeps its last-write time); True when it did. Any other file
    (closed, still written, not a WAV, no audio) is left as it is."""
    try:
        stat = path.stat()
        if time.time() - stat.st_mtime < abandoned_after_s:
            return False
        with path.open("r+b") as handle:
            head = handle.read(4096)
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return False
            block_align, data_at, offset = 0, None, 12
            while offset + 8 <= len(head):
                chunk, size = head[offset:offset + 4], struct.unpack_from("<I", head, offset + 4)[0]
                if chunk == b"fmt " and offset + 8 + 14 <= len(head):
                    block_align = struct.unpack_from("<H", head, offset + 8 + 12)[0]
                if chunk == b"data":
                    data_at = offset
                    break
                offset += 8 + size + (size & 1)
            if data_at is None or block_align <= 0:
                return False
            if struct.unpack_from("<I", head, data_at + 4)[0] != 0:
                return False  # closed by its recorder (or cut short: that is not ours to guess)
            audio = (stat.st_size - (data_at + 8)) // block_align * block_align
            if audio <= 0:
                return False
            handle.seek(4)
            handle.write(struct.pack("<I", data_at + 8 + audio - 8))
            handle.seek(data_at + 4)
            handle.write(struct.pack("<I", audio))
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # its last write dates the call's end
    except OSError:
        return False
    log.warning("recording %s was never closed by its worker: %d bytes of audio recovered", path, audio)
    return True
