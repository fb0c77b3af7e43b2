#include "CImageCodecs.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <png.h>

// Reads from a memory buffer; running past its end is reported through png_error.
struct fg_png_source {
    const uint8_t *data;
    size_t length;
    size_t offset;
};

static void fg_png_read(png_structp png, png_bytep dest, size_t count) {
    struct fg_png_source *src = (struct fg_png_source *)png_get_io_ptr(png);
    if (count > src->length - src->offset) {
        png_error(png, "unexpected end of PNG data");
    }
    memcpy(dest, src->data + src->offset, count);
    src->offset += count;
}

// libpng's error callback must not return: copy the message and jump back.
static void fg_png_error(png_structp png, png_const_charp message) {
    char *buffer = (char *)png_get_error_ptr(png);
    snprintf(buffer, 160, "%s", message);
    png_longjmp(png, 1);
}

static void fg_png_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

int fg_png_decode(const uint8_t *data, size_t length, uint64_t max_pixels, fg_decoded_image *out) {
    memset(out, 0, sizeof(*out));
    if (length < 8 || png_sig_cmp(data, 0, 8) != 0) {
        return FG_CODEC_NOT_THIS_FORMAT;
    }
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, out->message, fg_png_error, fg_png_warning);
    if (png == NULL) {
        return FG_CODEC_OUT_OF_MEMORY;
    }
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        return FG_CODEC_OUT_OF_MEMORY;
    }
    struct fg_png_source source = {data, length, 0};
    uint8_t *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;
    volatile int status = FG_CODEC_CORRUPT;
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        free(pixels);
        free(rows);
        return status;
    }
    png_set_read_fn(png, &source, fg_png_read);
    // Ancillary chunks with bad CRCs are skipped, as browsers do; critical ones stay fatal.
    png_set_crc_action(png, PNG_CRC_DEFAULT, PNG_CRC_QUIET_USE);
    png_read_info(png, info);
    png_uint_32 width = png_get_image_width(png, info);
    png_uint_32 height = png_get_image_height(png, info);
    out->width = (int32_t)width;
    out->height = (int32_t)height;
    out->source_bit_depth = png_get_bit_depth(png, info);
    if ((uint64_t)width * (uint64_t)height > max_pixels) {
        png_destroy_read_struct(&png, &info, NULL);
        return FG_CODEC_TOO_LARGE;
    }
    int color_type = png_get_color_type(png, info);
    int bit_depth = png_get_bit_depth(png, info);
    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    if (bit_depth == 16) png_set_scale_16(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    int channels = png_get_channels(png, info);
    size_t stride = png_get_rowbytes(png, info);
    if (stride != (size_t)width * (size_t)channels || channels < 1 || channels > 4) {
        status = FG_CODEC_UNSUPPORTED;
        png_error(png, "unexpected PNG row layout");
    }
    pixels = malloc(stride * height);
    rows = malloc(sizeof(png_bytep) * height);
    if (pixels == NULL || rows == NULL) {
        status = FG_CODEC_OUT_OF_MEMORY;
        png_error(png, "out of memory");
    }
    for (png_uint_32 y = 0; y < height; y++) rows[y] = pixels + stride * y;
    png_read_image(png, rows);
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    out->channels = channels;
    out->layout = channels; // FG_PIXELS_GRAY..RGBA equal the channel count
    out->pixels = pixels;
    return FG_CODEC_OK;
}
