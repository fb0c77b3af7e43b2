#!/usr/bin/env python3
"""Writes the small image fixtures of the decoder tests into Tests/Fixtures/image/.

Each encoded file X comes with X.rgb / X.gray: the pixels Pillow decodes (after EXIF
transposition, alpha dropped like convert("RGB")), used as the expected values. Deterministic:
fixed patterns, no randomness. Run from the repository root: .venv/bin/python scripts/make-image-fixtures.py
"""
import io
import struct
import zlib
from pathlib import Path

from PIL import Image, ImageOps

OUT = Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "image"
W, H = 37, 23  # odd sizes catch stride and orientation mistakes


def pattern_rgb(w=W, h=H):
    img = Image.new("RGB", (w, h))
    img.putdata([((x * 7) % 256, (y * 11) % 256, ((x + y) * 5) % 256) for y in range(h) for x in range(w)])
    return img


def smooth_rgb(w=W, h=H):
    # Smooth content so JPEG round trips stay within a few levels.
    img = Image.new("RGB", (w, h))
    img.putdata([(40 + x * 4, 60 + y * 6, 200 - x * 2 - y * 2) for y in range(h) for x in range(w)])
    return img


def expected(img, name):
    if img.mode in ("L", "LA", "I;16", "I"):
        if img.mode == "I;16" or img.mode == "I":
            img = img.point(lambda v: v / 257.0).convert("L")
        else:
            img = img.convert("L")
        (OUT / (name + ".gray")).write_bytes(img.tobytes())
    else:
        (OUT / (name + ".rgb")).write_bytes(img.convert("RGB").tobytes())


def exif_with_orientation(value):
    exif = Image.Exif()
    exif[0x0112] = value
    return exif.tobytes()


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def write_png16_rgb(path, w, h):
    # Pillow cannot write 16-bit RGB; write it by hand. Value v16 = v8 * 257 + (x % 3).
    raw = bytearray()
    pixels8 = []
    for y in range(h):
        raw.append(0)
        for x in range(w):
            rgb8 = ((x * 7) % 256, (y * 11) % 256, ((x + y) * 5) % 256)
            pixels8.extend(rgb8)
            for v in rgb8:
                raw += struct.pack(">H", min(65535, v * 257 + (x % 3)))
    data = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
    data += png_chunk(b"IDAT", zlib.compress(bytes(raw))) + png_chunk(b"IEND", b"")
    path.write_bytes(data)
    return bytes(pixels8)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    base = pattern_rgb()
    base.save(OUT / "rgb.png"); expected(base, "rgb.png")
    gray = base.convert("L"); gray.save(OUT / "gray.png"); expected(gray, "gray.png")
    rgba = base.copy(); rgba.putalpha(Image.linear_gradient("L").resize((W, H)))
    rgba.save(OUT / "rgba.png"); expected(rgba, "rgba.png")
    la = rgba.convert("LA"); la.save(OUT / "gray-alpha.png"); expected(la, "gray-alpha.png")
    pal = base.quantize(colors=16); pal.info["transparency"] = 3; pal.save(OUT / "palette.png", transparency=3)
    expected(Image.open(OUT / "palette.png"), "palette.png")
    g16 = Image.new("I;16", (W, H)); g16.putdata([(x * 1700 + y * 900) % 65536 for y in range(H) for x in range(W)])
    g16.save(OUT / "gray16.png")
    # libpng's scale_16 rounds v16 -> (v16 * 255 + 32895) >> 16.
    (OUT / "gray16.png.gray").write_bytes(bytes(((v * 255 + 32895) >> 16) for v in g16.getdata()))
    (OUT / "rgb16.png.rgb").write_bytes(write_png16_rgb(OUT / "rgb16.png", W, H))
    bw = base.convert("1"); bw.save(OUT / "bilevel.png"); expected(bw.convert("L"), "bilevel.png")

    smooth = smooth_rgb()
    smooth.save(OUT / "rgb.jpg", quality=95); expected(Image.open(OUT / "rgb.jpg"), "rgb.jpg")
    smooth.convert("L").save(OUT / "gray.jpg", quality=95); expected(Image.open(OUT / "gray.jpg"), "gray.jpg")
    smooth.convert("CMYK").save(OUT / "cmyk.jpg", quality=95)
    (OUT / "cmyk.jpg.rgb").write_bytes(smooth.tobytes())  # the colours it was made from
    smooth.save(OUT / "progressive.jpg", quality=95, progressive=True); expected(Image.open(OUT / "progressive.jpg"), "progressive.jpg")
    for value in range(1, 9):
        name = f"orientation-{value}.jpg"
        smooth.save(OUT / name, quality=95, exif=exif_with_orientation(value))
        expected(ImageOps.exif_transpose(Image.open(OUT / name)), name)
        # PNG with an eXIf chunk (written by Pillow): lossless, so the upright pixels are exact.
        name = f"orientation-{value}.png"
        base.save(OUT / name, exif=exif_with_orientation(value))
        expected(ImageOps.exif_transpose(Image.open(OUT / name)), name)
    print("wrote", len(list(OUT.iterdir())), "files to", OUT)


if __name__ == "__main__":
    main()
