"""The export formats by name, for the command line and the author preview's downloads."""

from collections.abc import Callable
from dataclasses import dataclass

from . import gift, moodlexml, qti
from .library import Bank, Library


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    extension: str
    write: Callable[[Bank, Library, str], str | bytes]
    binary: bool = False  # not for a terminal

    def export(self, bank: Bank, library: Library, public_url: str) -> bytes:
        """The file's bytes; source links start with public_url."""
        written = self.write(bank, library, public_url)
        return written.encode() if isinstance(written, str) else written

    def filename(self, bank: Bank) -> str:
        return f"{bank.id}{self.extension}"


FORMATS = {
    f.name: f
    for f in (
        Format("gift", "text/plain; charset=utf-8", ".gift.txt", gift.export),
        Format("moodle-xml", "application/xml", ".moodle.xml", moodlexml.export),
        Format("qti21", "application/zip", ".qti21.zip", qti.export, binary=True),
    )
}
