// C shim over libjpeg-turbo and libpng for FaceGate's image decoders.
// Both libraries report fatal errors by longjmp, which Swift cannot host, so the whole
// decode (header, limit check, scanlines) runs in C and returns a status code instead.
#ifndef FACEGATE_CIMAGECODECS_H
#define FACEGATE_CIMAGECODECS_H

#include <stddef.h>
#include <stdint.h>

/// Status codes returned by the decoders (stable; mapped to ImageError in Swift).
enum {
    FG_CODEC_OK = 0,
    FG_CODEC_NOT_THIS_FORMAT = 1,   // signature does not match
    FG_CODEC_CORRUPT = 2,           // the library reported an error (message filled in)
    FG_CODEC_TOO_LARGE = 3,         // width*height above the caller's limit (header only was read)
    FG_CODEC_UNSUPPORTED = 4,       // a valid but unsupported colour model
    FG_CODEC_OUT_OF_MEMORY = 5,
};

/// Colour model of the decoded pixels in `fg_decoded_image.pixels`.
enum {
    FG_PIXELS_GRAY = 1,        // 1 byte per pixel
    FG_PIXELS_GRAY_ALPHA = 2,  // 2 bytes per pixel
    FG_PIXELS_RGB = 3,         // 3 bytes per pixel
    FG_PIXELS_RGBA = 4,        // 4 bytes per pixel
    FG_PIXELS_CMYK = 5,        // 4 bytes per pixel as stored (see `cmyk_inverted`)
};

/// A decoded image; `pixels` is malloc'd by the shim and released with fg_decoded_image_free.
typedef struct {
    int32_t width;
    int32_t height;
    int32_t layout;          // FG_PIXELS_*
    int32_t channels;        // bytes per pixel
    int32_t cmyk_inverted;   // JPEG CMYK with an Adobe marker stores inverted ink values
    int32_t source_bit_depth;
    uint8_t *pixels;         // tightly packed rows, top first
    char message[160];       // library message on FG_CODEC_CORRUPT / UNSUPPORTED
} fg_decoded_image;

/// Decodes a JPEG held in memory; refuses (FG_CODEC_TOO_LARGE) before decoding when
/// width*height > max_pixels. Exists because libjpeg's error exits need setjmp.
int fg_jpeg_decode(const uint8_t *data, size_t length, uint64_t max_pixels, fg_decoded_image *out);

/// Decodes a PNG held in memory to 8-bit gray/gray+alpha/RGB/RGBA (palette expanded, 16-bit
/// scaled down, interlacing resolved); same limit rule. Exists because libpng needs setjmp.
int fg_png_decode(const uint8_t *data, size_t length, uint64_t max_pixels, fg_decoded_image *out);

/// Releases the pixels of a decoded image (safe on an image that owns none).
void fg_decoded_image_free(fg_decoded_image *image);

#include "fg_align.h"

#endif
