// See fg_align.h. Exactness matters more than speed tricks here: every expression keeps the
// Swift reference's evaluation order and contraction is off, so results are bit-identical.
#include "fg_align.h"

#include <math.h>
#include <stddef.h>

#pragma clang fp contract(off)

void fg_pyramid_down_rgb(const uint8_t *src, int rows, int cols, uint16_t *temp, uint8_t *dst) {
    const int temp_cols = (cols - 3) / 2;
    for (int r = 0; r < rows; r++) {
        const uint8_t *row = src + (size_t)r * cols * 3;
        uint16_t *out = temp + (size_t)r * temp_cols * 3;
        for (int c = 0; c < temp_cols; c++) {
            const uint8_t *p = row + 2 * c * 3;
            for (int ch = 0; ch < 3; ch++) {
                out[c * 3 + ch] = (uint16_t)(p[ch] + 4 * p[3 + ch] + 6 * p[6 + ch] + 4 * p[9 + ch] + p[12 + ch]);
            }
        }
    }
    const size_t stride = (size_t)temp_cols * 3;
    int dr = 0;
    for (int r = 2; r < rows - 2; r += 2, dr++) {
        const uint16_t *a = temp + (size_t)(r - 2) * stride, *b = a + stride, *c = b + stride, *d = c + stride,
                       *e = d + stride;
        uint8_t *out = dst + (size_t)dr * stride;
        for (size_t i = 0; i < stride; i++) {
            uint32_t sum = (uint32_t)a[i] + 4u * b[i] + 6u * c[i] + 4u * d[i] + e[i];
            out[i] = (uint8_t)((sum & 0xFFFFu) / 256u);
        }
    }
}

/// Where output pixel x of a row samples: the top-left source pixel of its 2x2 block and the
/// fractional offsets, or NULL when the block leaves the source (NaN lands there too).
static inline const uint8_t *bilinear_block(const uint8_t *src, int width, double max_x, double max_y,
                                            const double m[4], const double t[2], double row_x, double row_y,
                                            int x, double *lr, double *tb) {
    const double px = (m[0] * (double)x + row_x) + t[0];
    const double py = (m[2] * (double)x + row_y) + t[1];
    if (!(px >= 0 && py >= 0 && px < max_x && py < max_y)) return NULL;
    const int left = (int)px, top = (int)py;
    *lr = px - (double)left;
    *tb = py - (double)top;
    return src + ((size_t)top * width + left) * 3;
}

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

/// Three bytes of one RGB pixel as doubles (lane 3 = 0), without reading past the pixel.
__attribute__((target("avx2"))) static inline __m256d rgb_lanes(const uint8_t *p) {
    uint32_t bytes = 0;
    memcpy(&bytes, p, 3);
    return _mm256_cvtepi32_pd(_mm_cvtepu8_epi32(_mm_cvtsi32_si128((int)bytes)));
}

/// One output pixel with the three channels in one vector: the same products and sums, in the
/// same order, as the scalar loop (vector lanes are IEEE doubles too), so the bytes agree.
__attribute__((target("avx2"))) static void bilinear_rgb_avx2(
    const uint8_t *src, int width, int height, const double m[4], const double t[2],
    uint8_t *dst, int out_width, int out_height) {
    const double max_x = (double)(width - 1), max_y = (double)(height - 1);
    const __m256d zero = _mm256_setzero_pd(), top_value = _mm256_set1_pd(255);
    for (int y = 0; y < out_height; y++) {
        const double row_x = m[1] * (double)y, row_y = m[3] * (double)y;
        uint8_t *out = dst + (size_t)y * out_width * 3;
        for (int x = 0; x < out_width; x++, out += 3) {
            double lr, tb;
            const uint8_t *p00 = bilinear_block(src, width, max_x, max_y, m, t, row_x, row_y, x, &lr, &tb);
            if (!p00) {
                out[0] = 0; out[1] = 0; out[2] = 0;
                continue;
            }
            const uint8_t *p10 = p00 + (size_t)width * 3;
            const __m256d wl = _mm256_set1_pd(1 - lr), wr = _mm256_set1_pd(lr);
            const __m256d upper = _mm256_add_pd(_mm256_mul_pd(wl, rgb_lanes(p00)), _mm256_mul_pd(wr, rgb_lanes(p00 + 3)));
            const __m256d lower = _mm256_add_pd(_mm256_mul_pd(wl, rgb_lanes(p10)), _mm256_mul_pd(wr, rgb_lanes(p10 + 3)));
            __m256d v = _mm256_add_pd(_mm256_mul_pd(_mm256_set1_pd(1 - tb), upper), _mm256_mul_pd(_mm256_set1_pd(tb), lower));
            v = _mm256_max_pd(_mm256_min_pd(v, top_value), zero);
            const __m128i ints = _mm256_cvttpd_epi32(v);
            out[0] = (uint8_t)_mm_extract_epi32(ints, 0);
            out[1] = (uint8_t)_mm_extract_epi32(ints, 1);
            out[2] = (uint8_t)_mm_extract_epi32(ints, 2);
        }
    }
}
#endif

void fg_bilinear_rgb(const uint8_t *src, int width, int height, const double m[4], const double t[2],
                     uint8_t *dst, int out_width, int out_height) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) {
        bilinear_rgb_avx2(src, width, height, m, t, dst, out_width, out_height);
        return;
    }
#endif
    fg_bilinear_rgb_scalar(src, width, height, m, t, dst, out_width, out_height);
}

void fg_bilinear_rgb_scalar(const uint8_t *src, int width, int height, const double m[4], const double t[2],
                            uint8_t *dst, int out_width, int out_height) {
    const double max_x = (double)(width - 1), max_y = (double)(height - 1);
    for (int y = 0; y < out_height; y++) {
        const double row_x = m[1] * (double)y, row_y = m[3] * (double)y;
        uint8_t *out = dst + (size_t)y * out_width * 3;
        for (int x = 0; x < out_width; x++, out += 3) {
            double lr, tb;
            const uint8_t *p00 = bilinear_block(src, width, max_x, max_y, m, t, row_x, row_y, x, &lr, &tb);
            if (!p00) {
                out[0] = 0; out[1] = 0; out[2] = 0;
                continue;
            }
            const uint8_t *p01 = p00 + 3, *p10 = p00 + (size_t)width * 3, *p11 = p10 + 3;
            for (int c = 0; c < 3; c++) {
                double v = (1 - tb) * ((1 - lr) * (double)p00[c] + lr * (double)p01[c])
                    + tb * ((1 - lr) * (double)p10[c] + lr * (double)p11[c]);
                v = v < 255 ? v : 255;
                v = v > 0 ? v : 0;
                out[c] = (uint8_t)v;
            }
        }
    }
}

void fg_shape_cascade(const uint8_t *pixels, int width, int height, int channels,
                      const double box[4], const float m[4],
                      const int32_t *anchors, const float *deltas, int feature_count, float *features,
                      const int32_t *split_features, const float *thresholds, int tree_count,
                      int splits_per_tree, const float *leaves, int landmarks, float *shape) {
    const double left = box[0], top = box[1], sx = box[2], sy = box[3];
    for (int j = 0; j < feature_count; j++) {
        const int anchor = anchors[j];
        const float dx = deltas[2 * j], dy = deltas[2 * j + 1];
        const float px = m[0] * dx + m[1] * dy + shape[2 * anchor];
        const float py = m[2] * dx + m[3] * dy + shape[2 * anchor + 1];
        // floor(v) lies in [0, n) exactly when v does (n is an integer), and truncation is the
        // floor of a non-negative v: the reference's floor-then-compare without a libm call.
        const double x = left + (double)px * sx + 0.5;
        const double y = top + (double)py * sy + 0.5;
        if (x >= 0 && y >= 0 && x < (double)width && y < (double)height) {
            const size_t i = (size_t)y * width + (size_t)x;
            if (channels == 3) {
                const uint8_t *p = pixels + 3 * i;
                features[j] = (float)((uint16_t)(p[0] + p[1] + p[2]) / 3);
            } else {
                features[j] = (float)pixels[i];
            }
        } else {
            features[j] = 0;
        }
    }
    const int leaves_per_tree = splits_per_tree + 1;
    const int leaf_size = 2 * landmarks;
    int depth = 0;
    while (depth < 30 && (1 << depth) - 1 < splits_per_tree) depth++;  // splits_per_tree = 2^depth - 1 (checked at load)
    // The walks depend only on the features, not on the shape: walk a chunk of trees first,
    // then add their leaves in tree order. The leaves (megabytes) miss the cache; separating
    // the two phases lets many leaf loads be in flight at once (plus explicit prefetches).
    enum { CHUNK = 128, AHEAD = 8 };
    const float *reached[CHUNK];
    for (int first = 0; first < tree_count; first += CHUNK) {
        const int count = tree_count - first < CHUNK ? tree_count - first : CHUNK;
        for (int k = 0; k < count; k++) {
            const int tree = first + k;
            // Complete trees: every walk takes `depth` steps. Branch-free (the comparisons are
            // data-dependent coin flips), so walks of successive trees overlap.
            int node = 0;
            const int base = tree * splits_per_tree;
            for (int level = 0; level < depth; level++) {
                const int s = base + node;
                const float diff = features[split_features[2 * s]] - features[split_features[2 * s + 1]];
                node = 2 * node + 2 - (diff > thresholds[s]);
            }
            reached[k] = leaves + ((size_t)tree * leaves_per_tree + (node - splits_per_tree)) * leaf_size;
            if (k < AHEAD) __builtin_prefetch(reached[k]);
        }
        for (int k = 0; k < count; k++) {
            if (k + AHEAD < count) {
                __builtin_prefetch(reached[k + AHEAD]);
                __builtin_prefetch(reached[k + AHEAD] + leaf_size - 1);
            }
            const float *leaf = reached[k];
            for (int i = 0; i < leaf_size; i++) shape[i] += leaf[i];
        }
    }
}
