"""The QR cache cannot be poisoned: a committed or forged code is drawn again, a symlinked cache
folder is not followed, and a code this machine drew is reused."""

from __future__ import annotations

import io
import os
import shutil
import threading
from pathlib import Path

import pytest
import qrcode
from qrcode.constants import ERROR_CORRECT_M

from casebook.site import qr
from casebook.site.qr import QrBatch, cache_path, draw, qr_png

URL = "https://example.test/cases/a/"
OTHER = "https://evil.example/"


@pytest.fixture
def digests(tmp_path: Path) -> Path:
    """This machine's record of what it drew, kept out of the real home folder."""
    return tmp_path / "home-cache" / "qr-digests.json"


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "repo" / ".cache" / "qr"


def test_a_code_this_machine_drew_is_reused(cache: Path, digests: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = qr_png(URL, cache, digests)
    assert first.startswith(b"\x89PNG") and first == draw(URL)

    def no_drawing(url: str) -> bytes:
        raise AssertionError("a trusted code was drawn again")

    monkeypatch.setattr(qr, "draw", no_drawing)
    assert qr_png(URL, cache, digests) == first
    assert QrBatch([URL], cache, digests).missing == []


def test_a_committed_code_is_drawn_again(cache: Path, digests: Path) -> None:
    qr_png(URL, cache, digests)
    forged = draw(OTHER)  # a well-formed code of another address, as a pull request would commit
    cache_path(URL, cache).write_bytes(forged)
    assert qr_png(URL, cache, digests) == draw(URL)
    assert cache_path(URL, cache).read_bytes() == draw(URL)


def test_a_batch_redraws_every_forged_code(cache: Path, digests: Path) -> None:
    urls = [f"https://example.test/cases/c{i}/" for i in range(60)]  # enough for the second process
    cache.mkdir(parents=True)
    for url in urls:  # a fresh checkout: the files are there, this machine never drew them
        cache_path(url, cache).write_bytes(draw(OTHER))
    batch = QrBatch(urls, cache, digests)
    assert batch.missing == urls
    batch.start()
    assert batch.wait() == len(urls)
    for url in urls[:3]:
        assert batch.path(url).read_bytes() == draw(url)
    assert QrBatch(urls, cache, digests).missing == []


def test_symlinked_cache_folders_are_replaced_not_followed(tmp_path: Path, digests: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("mine", encoding="utf-8")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".cache").symlink_to(outside, target_is_directory=True)
    qr_png(URL, repo / ".cache" / "qr", digests)
    assert not (repo / ".cache").is_symlink() and (repo / ".cache" / "qr").is_dir()
    assert sorted(p.name for p in outside.iterdir()) == ["keep.txt"]  # nothing written, nothing removed

    other = tmp_path / "outside-qr"
    other.mkdir()
    shutil.rmtree(repo / ".cache" / "qr")
    (repo / ".cache" / "qr").symlink_to(other, target_is_directory=True)
    QrBatch([URL], repo / ".cache" / "qr", digests).start()
    assert not (repo / ".cache" / "qr").is_symlink()
    assert list(other.iterdir()) == []


def test_a_cached_file_that_is_a_symlink_is_not_read_nor_written_through(cache: Path, digests: Path) -> None:
    cache.mkdir(parents=True)
    secret = cache.parent.parent.parent / "secret.txt"
    secret.write_text("secret", encoding="utf-8")
    cache_path(URL, cache).symlink_to(secret)
    assert qr_png(URL, cache, digests) == draw(URL)
    assert secret.read_text(encoding="utf-8") == "secret"
    assert not cache_path(URL, cache).is_symlink()


def test_a_fifo_in_the_cache_does_not_hang_the_build(cache: Path, digests: Path) -> None:
    cache.mkdir(parents=True)
    os.mkfifo(cache_path(URL, cache))
    result: list[bytes] = []
    worker = threading.Thread(target=lambda: result.append(qr_png(URL, cache, digests)), daemon=True)
    worker.start()
    worker.join(10)
    assert result == [draw(URL)]


def test_without_a_writable_record_codes_are_drawn_every_time(cache: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("", encoding="utf-8")
    digests = blocked / "qr-digests.json"  # cannot be created
    assert qr_png(URL, cache, digests) == draw(URL)
    assert QrBatch([URL], cache, digests).missing == [URL]


@pytest.mark.parametrize("url", ["https://casebook-1314.github.io/casebook/cases/x/", "https://a.example/" + "长" * 80])
def test_a_code_is_qrcodes_own_image(url: str) -> None:
    """qr.draw builds the image from the module matrix (faster than qrcode's rectangle per
    module): the PNG must be the one qrcode itself makes, so DRAWING and every cached code stay
    valid."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=qr.BOX, border=2, mask_pattern=4)
    code.add_data(url)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    assert qr.draw(url) == buffer.getvalue()


def test_a_preview_trusts_a_checked_code_only_while_its_file_is_there(cache: Path, digests: Path) -> None:
    """A preview server remembers the codes it has checked, so a save does not hash them all
    again; a remembered code whose file has gone is drawn again, and a batch that has not
    finished leaves nothing remembered."""
    checked: set[Path] = set()
    batch = QrBatch([URL, OTHER], cache, digests, checked=checked)
    assert sorted(batch.missing) == sorted([URL, OTHER]) and not checked  # not drawn yet
    batch.start()
    assert batch.wait() == 2 and checked == {batch.path(URL), batch.path(OTHER)}
    assert QrBatch([URL, OTHER], cache, digests, checked=checked).missing == []
    batch.path(OTHER).unlink()
    assert QrBatch([URL, OTHER], cache, digests, checked=checked).missing == [OTHER]


def test_both_processes_draw_a_large_batch_and_every_code_is_recorded(cache: Path, digests: Path) -> None:
    """The second process draws from the front, the build joins in from the back when it
    needs the codes: each code is drawn once, right, and recorded as this machine's."""
    urls = [f"https://example.test/cases/c{i}/" for i in range(200)]
    batch = QrBatch(urls, cache, digests)
    batch.start()
    assert batch.wait() == len(urls)
    assert 0 < batch.drawn_here <= len(urls)
    assert all(batch.path(url).read_bytes() == draw(url) for url in urls)
    assert QrBatch(urls, cache, digests).missing == []  # both processes' digests were saved


def test_a_code_the_second_process_cannot_draw_fails_the_batch(
    cache: Path, digests: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    urls = [f"https://example.test/cases/c{i}/" for i in range(200)]
    real = qr.draw

    def broken_first(url: str) -> bytes:
        if url == urls[0]:  # the front: the second process's first code (forked: it has this)
            raise OSError("disk full")
        return real(url)

    monkeypatch.setattr(qr, "draw", broken_first)
    batch = QrBatch(urls, cache, digests)
    batch.start()
    with pytest.raises(OSError, match="disk full"):
        batch.wait()
    # What the build drew meanwhile is recorded all the same: only the failed code is drawn
    # next time. (The build would claim the first code only after drawing the other 199.)
    assert QrBatch(urls, cache, digests).missing == [urls[0]]


class _CountingSet(set[Path]):
    updates = 0

    def update(self, *others: object) -> None:  # type: ignore[override]
        type(self).updates += 1
        super().update(*others)  # type: ignore[arg-type]


def test_the_codes_a_build_takes_are_remembered_once_not_once_per_code(cache: Path, digests: Path) -> None:
    """`png()` waits for the batch before each code: remembering the whole batch each time made
    a build's codes cost the square of their number."""
    urls = [f"https://example.test/cases/c{i}/" for i in range(QrBatch.BACKGROUND_FROM + 10)]
    checked = _CountingSet()
    batch = QrBatch(urls, cache, digests, checked=checked)
    batch.start()
    assert all(batch.png(url) == draw(url) for url in urls)
    assert _CountingSet.updates == 1 and checked == {batch.path(url) for url in urls}
