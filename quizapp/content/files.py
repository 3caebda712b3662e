"""Read one content file from disk: a regular file within the size limit, in UTF-8.

Whatever keeps a file from being read is a ContentError at its line 1 (at the bad byte for
text that is not UTF-8), so that one such file never stops the others from loading.
"""

import stat
from pathlib import Path

from .errors import ContentError

MAX_FILE_BYTES = 1_000_000


def read_text(path: Path, display: str) -> str:
    """The text of the file at path; display is its name as the author is told it."""
    try:
        info = path.stat()  # of the file that a link points to
        if not stat.S_ISREG(info.st_mode):
            what = "a folder" if stat.S_ISDIR(info.st_mode) else "a pipe, socket or device"
            raise ContentError.at(
                display,
                1,
                1,
                f"this is {what}, not a file; "
                f"rename it so that its name does not end in '{path.suffix}'",
            )
        if info.st_size > MAX_FILE_BYTES:
            raise ContentError.at(
                display, 1, 1, f"the file is larger than {MAX_FILE_BYTES:,} bytes; split it"
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        # it was listed a moment ago: a link to nothing (or deleted since: the next load skips it)
        raise ContentError.at(
            display, 1, 1, "this is a link to a file that does not exist; fix the link or remove it"
        ) from None
    except OSError as exc:
        raise ContentError.at(
            display,
            1,
            1,
            f"the file cannot be read ({exc.strerror}); "
            "make it a plain file that the app's user may read",
        ) from None
    return decode(raw, display)


def decode(raw: bytes, display: str) -> str:
    """UTF-8 text, or a ContentError at the line and column of the first byte that is not."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise ContentError.at(
            display, line, col, "the file is not UTF-8 text; save it with UTF-8 encoding"
        ) from None
