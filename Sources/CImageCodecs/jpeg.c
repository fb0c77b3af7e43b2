#include "CImageCodecs.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

// libjpeg calls error_exit on any fatal error; we jump back to fg_jpeg_decode with the message.
struct fg_jpeg_error {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char *message;
};

static void fg_jpeg_error_exit(j_common_ptr cinfo) {
    struct fg_jpeg_error *err = (struct fg_jpeg_error *)cinfo->err;
    char buffer[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, buffer);
    snprintf(err->message, 160, "%s", buffer);
    longjmp(err->jump, 1);
}

// Warnings (e.g. "premature end of data") are not fatal for libjpeg but mean a damaged file;
// we treat a truncated stream as corrupt rather than decode grey filler.
static void fg_jpeg_emit_message(j_common_ptr cinfo, int level) {
    struct fg_jpeg_error *err = (struct fg_jpeg_error *)cinfo->err;
    if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) {
        fg_jpeg_error_exit(cinfo);
    }
    (void)err;
}

int fg_jpeg_decode(const uint8_t *data, size_t length, uint64_t max_pixels, fg_decoded_image *out) {
    memset(out, 0, sizeof(*out));
    if (length < 3 || data[0] != 0xFF || data[1] != 0xD8 || data[2] != 0xFF) {
        return FG_CODEC_NOT_THIS_FORMAT;
    }
    struct jpeg_decompress_struct cinfo;
    struct fg_jpeg_error jerr;
    uint8_t *volatile pixels = NULL;
    cinfo.err = jpeg_std_error(&jerr.base);
    jerr.base.error_exit = fg_jpeg_error_exit;
    jerr.base.emit_message = fg_jpeg_emit_message;
    jerr.message = out->message;
    if (setjmp(jerr.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(pixels);
        return FG_CODEC_CORRUPT;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)length);
    jpeg_read_header(&cinfo, TRUE);
    out->width = (int32_t)cinfo.image_width;
    out->height = (int32_t)cinfo.image_height;
    out->source_bit_depth = 8;
    if ((uint64_t)cinfo.image_width * (uint64_t)cinfo.image_height > max_pixels) {
        jpeg_destroy_decompress(&cinfo);
        return FG_CODEC_TOO_LARGE;
    }
    switch (cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE:
        cinfo.out_color_space = JCS_GRAYSCALE;
        out->layout = FG_PIXELS_GRAY;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        cinfo.out_color_space = JCS_CMYK;
        out->layout = FG_PIXELS_CMYK;
        out->cmyk_inverted = cinfo.saw_Adobe_marker ? 1 : 0;
        break;
    case JCS_RGB:
    case JCS_YCbCr:
        cinfo.out_color_space = JCS_RGB;
        out->layout = FG_PIXELS_RGB;
        break;
    default:
        snprintf(out->message, sizeof(out->message), "unsupported JPEG colour space %d", (int)cinfo.jpeg_color_space);
        jpeg_destroy_decompress(&cinfo);
        return FG_CODEC_UNSUPPORTED;
    }
    jpeg_start_decompress(&cinfo);
    size_t stride = (size_t)cinfo.output_width * (size_t)cinfo.output_components;
    out->width = (int32_t)cinfo.output_width;
    out->height = (int32_t)cinfo.output_height;
    out->channels = cinfo.output_components;
    pixels = malloc(stride * cinfo.output_height);
    if (pixels == NULL) {
        jpeg_destroy_decompress(&cinfo);
        return FG_CODEC_OUT_OF_MEMORY;
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = pixels + stride * cinfo.output_scanline;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    out->pixels = pixels;
    return FG_CODEC_OK;
}

void fg_decoded_image_free(fg_decoded_image *image) {
    free(image->pixels);
    image->pixels = NULL;
}
