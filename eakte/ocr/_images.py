"""Scanned images (PNG, JPEG, TIFF incl. multi-page) to a PDF, losslessly, with img2pdf.

Every frame is checked first: its pixel count against the limit (read from the
header, before anything is decoded), then decoded once, so that a truncated or
damaged scan is refused here rather than archived half grey — unless the
caller has decoded every frame already (ingest's validation does). img2pdf
embeds JPEG and most PNG data as they are, without decoding them; EXIF
rotation becomes the page's ``/Rotate``. Frames img2pdf refuses (16 bits per
sample, some alpha, unusual colour modes) or cannot express (mirrored EXIF
orientation) are normalised to 8-bit PNG first: upright, alpha flattened onto
white.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import img2pdf
from PIL import Image, ImageOps, UnidentifiedImageError

from eakte.exceptions import InputRejected

from . import _errors

log = logging.getLogger(__name__)

#: Resolution assumed when an image does not say (scanners rarely get this wrong; cameras do).
DEFAULT_DPI = 300
ACCEPTED_FORMATS = {"PNG", "JPEG", "MPO", "TIFF"}  # MPO: camera JPEG with thumbnails
_EXIF_ORIENTATION = 274
_MIRRORED = {2, 4, 5, 7}  # img2pdf can rotate (/Rotate) but not mirror
_EXIF_ROTATIONS = {1: "0", 6: "90", 3: "180", 8: "270"}  # as img2pdf reads them
_ROTATION = img2pdf.Rotation.ifvalid
_DEFAULT_LAYOUT: Callable[..., Any] = img2pdf.default_layout_fun
_FIXED_LAYOUT: Callable[..., Any] = img2pdf.get_fixed_dpi_layout_fun((DEFAULT_DPI, DEFAULT_DPI))


@dataclass(frozen=True)
class Frame:
    """What the checks learnt about one page of an image file."""

    width: int
    height: int
    dpi: tuple[float, float] | None  # None: the file does not say
    mirrored: bool
    orientation: int  # EXIF orientation, 1 = as stored
    mode: str  # Pillow's colour mode ("1", "L", "RGB", "P", "I;16", …)
    transparent: bool  # alpha channel or a transparent colour


def _orientation(image: Image.Image) -> int:
    """The frame's EXIF orientation, without decoding it.

    A PNG keeps EXIF in an eXIf chunk before the image data (PNG, third edition,
    chunk ordering), where Pillow has read it with the header; its ``getexif()``
    would decode the whole image to look for a chunk after the data as well.
    """
    if image.format == "PNG" and "exif" not in image.info:
        return 1
    orientation = image.getexif().get(_EXIF_ORIENTATION, 1)
    return orientation if isinstance(orientation, int) else 1


def _dpi(image: Image.Image) -> tuple[float, float] | None:
    dpi = image.info.get("dpi")
    if not dpi or min(float(dpi[0]), float(dpi[1])) < 10:  # TIFF without resolution says 1
        return None
    return float(dpi[0]), float(dpi[1])


def inspect_image(source: Path, max_pixels: int, *, decode: bool = True) -> list[Frame]:
    """Check every frame of ``source``; raises :class:`InputRejected` for the file's faults.

    ``decode=False`` checks the headers only: for a file whose frames the caller
    has decoded already (each decode of an A4 page costs ~20 ms)."""
    name = source.name
    page = 1
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb check may be stricter than ours: treat it as "too large".
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as image:
                if image.format not in ACCEPTED_FORMATS:
                    raise _errors.unsupported_image(name, image.format or "unknown")
                frames = []
                for index in range(getattr(image, "n_frames", 1)):
                    page = index + 1
                    image.seek(index)
                    pixels = image.width * image.height
                    if pixels > max_pixels:
                        raise _errors.image_too_large(name, page, pixels, max_pixels)
                    if decode:
                        image.load()  # truncated data fails here
                    orientation = _orientation(image)
                    frames.append(
                        Frame(
                            image.width,
                            image.height,
                            _dpi(image),
                            orientation in _MIRRORED,
                            orientation,
                            image.mode,
                            "A" in image.mode or "transparency" in image.info,
                        )
                    )
    except (InputRejected, FileNotFoundError, PermissionError, IsADirectoryError):
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise _errors.image_too_large(name, page, None, max_pixels) from e
    except UnidentifiedImageError as e:
        raise _errors.corrupt_image(name, "not a known image format") from e
    except Exception as e:  # decoders report damaged data with many exception types
        raise _errors.corrupt_image(name, f"{type(e).__name__}: {e}") from e
    return frames


def _layout(frames: list[Frame]) -> Callable[..., Any]:
    if all(frame.dpi for frame in frames):
        return _DEFAULT_LAYOUT
    # One rule for the whole file: a multi-page TIFF with some frames lacking a
    # resolution is taken at 300 dpi throughout.
    return _FIXED_LAYOUT


def _normalise(source: Path, folder: Path) -> list[str]:
    """Every frame as an 8-bit PNG without alpha, upright, with its resolution (decodes)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    with Image.open(source) as image:
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            dpi = _dpi(image) or (DEFAULT_DPI, DEFAULT_DPI)
            frame = ImageOps.exif_transpose(image)
            if frame.mode in ("RGBA", "LA", "PA", "P") or "transparency" in frame.info:
                rgba = frame.convert("RGBA")
                frame = Image.new("RGB", rgba.size, "white")
                frame.paste(rgba, mask=rgba.getchannel("A"))
            elif frame.mode.startswith("I"):  # 16-bit grey: scale; convert("L") would clip
                frame = frame.convert("I").point(lambda value: value / 256).convert("L")
            elif frame.mode not in ("1", "L", "RGB"):
                frame = frame.convert("RGB" if len(frame.getbands()) >= 3 else "L")
            path = folder / f"frame-{index:04d}.png"
            frame.save(path, dpi=dpi)
            paths.append(str(path))
    return paths


def _failed_io(error: Exception) -> bool:
    """Reading or writing a file failed (not the image's fault): an OSError with an errno.
    Pillow's decoders report damaged data as OSError without one."""
    return isinstance(error, OSError) and error.errno is not None


class _Refused(Exception):
    """img2pdf would not take the data (as it is); the message says why."""


def _rotation(frames: list[Frame]) -> Any:
    """How img2pdf is to turn the pages: as their EXIF says. For a single frame it is
    told what the check read; otherwise it reads EXIF itself (for a PNG that means
    decoding the image, for JPEG and TIFF it does not)."""
    if len(frames) != 1:
        return _ROTATION
    return img2pdf.Rotation[_EXIF_ROTATIONS.get(frames[0].orientation, "0")]


def _convert(
    inputs: list[str], layout: Callable[..., Any], target: Path, rotation: Any = _ROTATION
) -> None:
    try:
        with target.open("wb") as out:
            try:
                img2pdf.convert(*inputs, layout_fun=layout, rotation=rotation, outputstream=out)
            except img2pdf.PdfTooLargeError:  # > 200 inches at the stated resolution
                out.seek(0)
                out.truncate()
                img2pdf.convert(
                    *inputs, layout_fun=_FIXED_LAYOUT, rotation=rotation, outputstream=out
                )
    except Exception as e:  # alpha it cannot keep, 16 bits, odd colour modes, damaged data …
        if _failed_io(e):  # writing failed: not the file's fault
            raise
        raise _Refused(f"{type(e).__name__}: {e}") from e


def image_to_pdf(source: Path, target: Path, max_pixels: int, *, decoded: bool = False) -> int:
    """Write ``source`` as a PDF with one page per frame to ``target``; returns the page count.

    ``decoded``: the caller has decoded every frame of ``source`` already, so
    damaged data would have been found; the frames are then not decoded again."""
    frames = inspect_image(source, max_pixels, decode=not decoded)
    frames_to_pdf(source, frames, target)
    return len(frames)


def frames_to_pdf(source: Path, frames: list[Frame], target: Path) -> None:
    """Write ``source``, whose ``frames`` :func:`inspect_image` checked, as a PDF to ``target``."""
    if not any(frame.mirrored for frame in frames):
        try:
            _convert([str(source)], _layout(frames), target, _rotation(frames))
            return
        except _Refused as e:
            log.info("%s: img2pdf cannot embed it as it is (%s); normalising", source.name, e)
    try:
        frames_png = _normalise(source, target.parent / "frames")
    except OSError as e:
        if _failed_io(e):
            raise
        raise _errors.corrupt_image(source.name, str(e)) from e
    try:
        _convert(frames_png, _DEFAULT_LAYOUT, target)
    except _Refused as e:  # the frames decoded, yet cannot be written as a PDF
        raise _errors.corrupt_image(source.name, str(e)) from e
