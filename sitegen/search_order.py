"""Search, made deterministic: Pagefind's filter files rewritten in a fixed order.

Pagefind 1.5 writes each filter's values, and the list of filters in each language's
metadata, in Rust hash-map order, which changes from run to run; the files are named by a
hash of their bytes, so the names change too, and with them the metadata file and
`pagefind-entry.json` that point to them. The same pages must give the same site, byte for
byte, so after every run the filter values and filters are sorted, the files re-encoded
the way Pagefind encodes them (the `pagefind_dcd` signature, CBOR, gzip without a time)
and named by a hash of their new bytes, and the entry file rewritten to point to them.
The browser reads filters into maps: their order means nothing to it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import cbor2

SIGNATURE = b"pagefind_dcd"
ENTRY = "pagefind-entry.json"
# Positions in a language's metadata (Pagefind's `MetaIndex`): version, index chunks,
# word chunks, then the filters as [name, file hash] pairs.
META_FILTERS = 3


def reorder_index(bundle: Path) -> None:
    """Rewrite the filter files, metadata and entry of the index in `bundle` in sorted order."""
    entry_path = bundle / ENTRY
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    languages = {}
    for language, facts in sorted(entry["languages"].items()):
        meta_path = bundle / f"pagefind.{facts['hash']}.pf_meta"
        meta = _read(meta_path)
        meta[META_FILTERS] = sorted(
            [name, _reorder_filter(bundle / "filter", language, file_hash)]
            for name, file_hash in meta[META_FILTERS])
        facts = {**facts, "hash": _write(bundle, "pagefind.{}.pf_meta", language, meta,
                                          replacing=meta_path)}
        languages[language] = facts
    entry["languages"] = languages
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")),
                          encoding="utf-8")


def _reorder_filter(folder: Path, language: str, file_hash: str) -> str:
    """Sort one filter's values (each with its page numbers); return the file's new hash."""
    path = folder / f"{file_hash}.pf_filter"
    name, values = _read(path)
    return _write(folder, "{}.pf_filter", language, [name, sorted(values)], replacing=path)


def _read(path: Path) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise ValueError(f"{path.name} is not a Pagefind data file")
    return cbor2.loads(data[len(SIGNATURE):])


def _write(folder: Path, pattern: str, language: str, value: Any, replacing: Path) -> str:
    """Write `value` as a Pagefind data file named by its bytes; remove the one it replaces."""
    data = gzip.compress(SIGNATURE + cbor2.dumps(value), compresslevel=9, mtime=0)
    file_hash = f"{language}_{hashlib.sha256(data).hexdigest()[:12]}"
    target = folder / pattern.format(file_hash)
    target.write_bytes(data)
    if target != replacing:
        replacing.unlink()
    return file_hash
