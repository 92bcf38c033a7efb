"""Which PDFs need rendering: a cache keyed by everything a PDF depends on.

STYLE.md: rebuild HTML freely, cache only what is expensive. A PDF's key hashes its
record (and publisher) files, every template, the print stylesheet, the glossary, the
font file, WeasyPrint's version, sitegen's version and code, and the language; an
unchanged key copies the PDF from `.sitegen-cache/pdf/` instead of rendering it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import weasyprint

from . import __version__
from .glossary import DATA_DIR


def _digest_files(digest: hashlib._Hash, paths: Iterable[Path]) -> None:
    for path in sorted(paths):
        if path.is_file():
            digest.update(path.name.encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())


def environment_digest(templates_dir: Path, theme_dir: Path, font: str, variant: str) -> str:
    """What every PDF depends on besides its own records: sitegen's own code included,
    as its version number does not change with every fix that changes a PDF."""
    digest = hashlib.sha256(f"sitegen {__version__} weasyprint {weasyprint.__version__} "
                            f"variant {variant}\n".encode())
    _digest_files(digest, templates_dir.rglob("*.html"))
    _digest_files(digest, Path(__file__).parent.rglob("*.py"))
    _digest_files(digest, [theme_dir / "print.css", *DATA_DIR.glob("*.yaml")])
    font_path = Path(font)
    if font_path.is_file():
        stat = font_path.stat()
        digest.update(f"{font_path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class PdfCache:
    folder: Path
    environment: str

    @staticmethod
    def sources_digest(kind: str, sources: Iterable[tuple[Path, bytes]]) -> str:
        """The files a PDF is made from, with the very bytes it is made from (read once,
        not again here: a file saved in between would key an old PDF as a new one, for
        good), and what kind of PDF it is: a one-table volume is made from the same files
        as its table."""
        digest = hashlib.sha256(f"{kind}\0".encode())
        for path, data in sources:
            digest.update(str(path).encode() + b"\0" + data + b"\0")
        return digest.hexdigest()

    def key(self, language: str, sources_digest: str) -> str:
        return hashlib.sha256(f"{self.environment} {language} {sources_digest}".encode()
                              ).hexdigest()

    def fetch(self, key: str, target: Path) -> bool:
        """Put a cached PDF at `target`; False if not cached."""
        cached = self.folder / f"{key}.pdf"
        if not cached.is_file():
            return False
        _place(cached, target)
        return True

    def store(self, key: str, data: bytes, target: Path) -> None:
        """Cache a rendered PDF and put it at `target`."""
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.folder / f".{key}.{os.getpid()}.tmp"
        temporary.write_bytes(data)
        os.replace(temporary, self.folder / f"{key}.pdf")
        _place(self.folder / f"{key}.pdf", target)


def _place(cached: Path, target: Path) -> None:
    """`target` becomes the cached file: a hard link where possible, else a copy. Never
    written through: in the preview's output, which lives on between saves, `target` may
    still be a link to another version's cache entry, which writing into it would change."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    try:
        os.link(cached, target)
    except OSError:
        shutil.copyfile(cached, target)
