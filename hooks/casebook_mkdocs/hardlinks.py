"""Files the build already holds whole on disk (Word and slide files in the user's cache, QR
codes, the Traditional twins of static files), put into the site as a second name for the same
bytes rather than a copy.

On this project's machines creating a file with its bytes costs about 0.4 ms and a link about
0.06 ms; a site of 5,000 cases holds some 40,000 such files in its two scripts, and copying
them was about a third of a build whose pages all came from the cache (40 of 127 s profiled).

A link shares its bytes: whoever writes into the site file in place writes into the cache
entry. Nothing does: MkDocs empties the site folder before a build (it unlinks, never truncates),
every file put here is unlinked before it is linked, and MkDocs never copies over a file it did
not list (these are ours). Where a link cannot be made (another file system, a file system
without links) the file is copied, as before."""

from __future__ import annotations

import contextlib
import os
import shutil

from mkdocs.structure.files import File


def link_or_copy(source: str, dest: str) -> None:
    """`dest` becomes another name of `source`, or a copy of it."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(dest)
    try:
        os.link(source, dest)
    except OSError:
        shutil.copyfile(source, dest)


class LinkedFile(File):
    """A generated file backed by a file on disk that MkDocs would copy: linked instead."""

    def copy_file(self, dirty: bool = False) -> None:
        if dirty and not self.is_modified():
            return
        assert self.abs_src_path is not None, "a LinkedFile is made from a file on disk"
        os.makedirs(os.path.dirname(self.abs_dest_path), exist_ok=True)
        link_or_copy(self.abs_src_path, self.abs_dest_path)
