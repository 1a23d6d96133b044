"""Made Word and slide files kept between builds, in the user's cache (`~/.cache/casebook/
handouts/`), never in the repository, where a pull request could commit a file under a name the
build would compute (the same rule as the other caches: `records/check_cache.py`).

Two levels:
- `files/`: each made file, named by the hash of everything it is made from (its content as
  `content.Handout` holds it, and the version of the code that writes it). A changed guide makes
  a new teacher's version and reuses the learner's.
- `pages/`: for each page, by its key (`page_keys`: the record's digest, the reference data it
  shows, the site settings, the code), the names of its files. An unchanged page is answered
  from here without reading its record's content again: a warm build of 1,000 cases does not
  build 3,000 handouts' content to find that nothing changed."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path

from ...records.keyed_files import KeyedFiles, touch


def key(version: str, content: str) -> bytes:
    return hashlib.blake2b(f"{version}\n{content}".encode(), digest_size=20).digest()


class FileCache:
    def __init__(self, folder: Path) -> None:
        self.files = KeyedFiles(folder / "files")
        self.pages = KeyedFiles(folder / "pages")

    def get(self, name: bytes) -> Path | None:
        """The made file of that name, if a build made it (entries are written whole or not at all)."""
        path = self.files.path(name)
        if not path.is_file():
            return None
        touch(path)
        return path

    def put(self, name: bytes, data: bytes) -> Path:
        """The file, written; the site copies it from here, so a cache that cannot be written
        stops the build with the folder's name rather than publish a page without its file."""
        if not self.files.write(name, data):
            raise OSError(f"无法写入缓存目录 {self.files.folder}（Word 与幻灯片文件）")
        return self.files.path(name)

    def page(self, page_key: bytes) -> list[tuple[bytes, Path, int]] | None:
        """(name, file, size) of each file a page had when its key was this, if all are still there."""
        data = self.pages.read(page_key)
        try:
            names = [bytes.fromhex(n) for n in json.loads(data)] if data is not None else []
        except (ValueError, TypeError):
            return None
        out = []
        for name in names:
            path = self.files.path(name)
            try:
                info = path.stat()
            except OSError:
                return None
            if not stat.S_ISREG(info.st_mode):
                return None
            touch(path)
            out.append((name, path, info.st_size))
        return out or None

    def remember(self, page_key: bytes, names: list[bytes]) -> None:
        self.pages.write(page_key, json.dumps([n.hex() for n in names]).encode())
