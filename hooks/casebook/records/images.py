"""Photos of a case (cases/<id>/<file>): checked when records are validated, and turned into
clean responsive images when the site is built.

A photo from a resident's phone can carry the GPS position of their home: every piece of
metadata is dropped, after the EXIF orientation has been applied to the pixels.
"""

from __future__ import annotations

import hashlib
import io
import stat
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from .keyed_files import touch

FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
# A 40-megapixel photo is already larger than any phone takes. Checked by inspect() on the size
# an image declares, before any pixel is decoded; Pillow's own, process-wide limit (89 million,
# an error at twice that) is left as it is, for whatever else runs in the process.
MAX_PIXELS = 40_000_000
MAX_BYTES = 25 * 1024 * 1024
WIDTHS = (480, 960, 1600)


class ImageProblem(Exception):
    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message, self.hint = message, hint


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    webp: bytes
    jpeg: bytes


def safe_path(folder: Path, name: str) -> Path:
    """The photo's path, or a problem if it would leave the case's folder (.., absolute, a symbolic
    link, the folder itself a link) or is not a regular file (a FIFO would block the decoder, a
    device such as /dev/zero would never end)."""
    candidate = folder / name
    if Path(name).is_absolute() or ".." in Path(name).parts:
        raise ImageProblem("图片路径不能离开案例的文件夹", f"只写文件名，并把图片放进 {folder.name}/ 文件夹。")
    if folder.is_symlink():
        # Everything in a linked folder is outside the repository: its photos would be published.
        raise ImageProblem(
            f"案例的图片文件夹 {folder.name}/ 是符号链接",
            f"把图片复制进真正的 cases/{folder.name}/ 文件夹，不要用符号链接。",
        )
    if candidate.is_symlink():
        raise ImageProblem("图片不能是符号链接", "把真正的图片文件复制进案例的文件夹。")
    try:
        candidate.resolve().relative_to(folder.resolve())
    except ValueError as exc:
        raise ImageProblem("图片路径不能离开案例的文件夹", f"只写文件名，并把图片放进 {folder.name}/ 文件夹。") from exc
    try:
        mode = candidate.lstat().st_mode
    except OSError:
        return candidate  # missing: the caller says so in its own words
    if not stat.S_ISREG(mode):
        raise ImageProblem("不是普通的图片文件（是文件夹、管道或设备）", "把真正的图片文件放进案例的文件夹。")
    return candidate


def inspect(path: Path) -> tuple[str, int, int]:
    """(format, width, height) of a real JPEG, PNG or WebP, whatever its name says, whose every
    pixel decodes: verify() alone reads a JPEG's headers, and a truncated one would pass here
    and stop the build when its renditions are made."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ImageProblem(f"图片文件太大（{size // 1024 // 1024} MB，上限 25 MB）", "把图片缩小后再放进来。")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                fmt, (width, height) = im.format or "", im.size
                if width * height > MAX_PIXELS:
                    raise ImageProblem(
                        f"图片像素太多（{width}×{height}）",
                        f"上限 {MAX_PIXELS // 1_000_000} 百万像素：请缩小后再放进来。",
                    )
                im.verify()  # checksums and structure (verify() leaves the image unusable: opened again)
            if fmt in FORMATS:
                with Image.open(path) as im:
                    if fmt == "JPEG":
                        # Decoded at an eighth of its size: every byte of the stream is still read
                        # and entropy-decoded, so a truncated or damaged file fails the same way,
                        # at a fraction of the cost of the full inverse DCT.
                        im.draft(im.mode, (max(1, width // 8), max(1, height // 8)))
                    im.load()
                    im.getexif()  # the build turns the photo upright by its EXIF orientation
    except ImageProblem:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageProblem("图片像素太多", f"上限 {MAX_PIXELS // 1_000_000} 百万像素：请缩小后再放进来。") from exc
    except UnidentifiedImageError as exc:
        raise ImageProblem("不是能识别的图片", "只接受 JPEG、PNG 或 WebP 格式的照片。") from exc
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        raise ImageProblem(f"图片已损坏，无法读取（{exc}）", "重新导出或重新拍摄这张图片。") from exc
    if fmt not in FORMATS:
        raise ImageProblem(f"图片格式是 {fmt}，不在允许范围内", "只接受 JPEG、PNG 或 WebP 格式：请另存为 JPEG。")
    return fmt, width, height


def _encode(im: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "JPEG":
        im.convert("RGB").save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
    else:
        im.save(buffer, "WEBP", quality=80, method=4)
    return buffer.getvalue()


def renditions(path: Path, cache_dir: Path | None = None) -> list[Rendition]:
    """Upright, metadata-free copies at each width up to the original's (never enlarged)."""
    data = path.read_bytes()
    key = hashlib.sha256(data).hexdigest()[:24]
    cached = _from_cache(cache_dir, key) if cache_dir else None
    if cached is not None:
        return cached
    with Image.open(io.BytesIO(data)) as original:
        upright = ImageOps.exif_transpose(original)
        transparent = upright.mode in ("RGBA", "LA") or (upright.mode == "P" and "transparency" in upright.info)
        mode = "RGBA" if transparent else "RGB"
        # A fresh image holds pixels only: EXIF, GPS, XMP, ICC comments and text chunks stay behind.
        clean = Image.new(mode, upright.size)
        clean.paste(upright.convert(mode))
    out = []
    widths = [w for w in WIDTHS if w < clean.width] + [min(clean.width, WIDTHS[-1])]
    for width in sorted(set(widths)):
        height = round(clean.height * width / clean.width)
        im = clean if width == clean.width else clean.resize((width, height), Image.Resampling.LANCZOS)
        out.append(Rendition(width, height, _encode(im, "WEBP"), _encode(im, "JPEG")))
    if cache_dir:
        _to_cache(cache_dir, key, out)
    return out


def _from_cache(cache_dir: Path, key: str) -> list[Rendition] | None:
    index = cache_dir / f"{key}.txt"
    if not index.is_file():
        return None
    out = []
    for line in index.read_text(encoding="utf-8").split():
        width, height = (int(x) for x in line.split("x"))
        webp, jpeg = cache_dir / f"{key}-{width}.webp", cache_dir / f"{key}-{width}.jpg"
        if not (webp.is_file() and jpeg.is_file()):
            return None
        out.append(Rendition(width, height, webp.read_bytes(), jpeg.read_bytes()))
    for used in (index, *(cache_dir / f"{key}-{r.width}.{ext}" for r in out for ext in ("webp", "jpg"))):
        touch(used)  # used by this build: kept when the cache is pruned (keyed_files.prune)
    return out


def _to_cache(cache_dir: Path, key: str, out: list[Rendition]) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    for r in out:
        (cache_dir / f"{key}-{r.width}.webp").write_bytes(r.webp)
        (cache_dir / f"{key}-{r.width}.jpg").write_bytes(r.jpeg)
    (cache_dir / f"{key}.txt").write_text(" ".join(f"{r.width}x{r.height}" for r in out), encoding="utf-8")
