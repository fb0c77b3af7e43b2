// Alignment kernels for dlib's face chip and 5-point predictor, in C so that they run without
// bounds checks. Each reproduces the Swift reference's arithmetic exactly (same operation
// order, no FMA contraction), so chips and landmarks are bit-identical to dlib's.
#ifndef FACEGATE_FG_ALIGN_H
#define FACEGATE_FG_ALIGN_H

#include <stdint.h>

/// dlib's `pyramid_down<2>` on packed RGB: [1 4 6 4 1] in both directions, 16-bit sums,
/// output `((rows - 3) / 2) x ((cols - 3) / 2)`. `temp` holds `rows * ((cols - 3) / 2) * 3`
/// values. Requires rows > 8 and cols > 8.
void fg_pyramid_down_rgb(const uint8_t *src, int rows, int cols, uint16_t *temp, uint8_t *dst);

/// dlib's bilinear `transform_image` on packed RGB: output pixel (x, y) samples the source at
/// `(m[0] x + m[1] y + t[0], m[2] x + m[3] y + t[1])`; samples whose 2x2 block leaves the source
/// are black; values are truncated to 8 bits.
void fg_bilinear_rgb(const uint8_t *src, int width, int height, const double m[4], const double t[2],
                     uint8_t *dst, int out_width, int out_height);

/// The portable loop behind `fg_bilinear_rgb` (which uses AVX2 when the CPU has it); same bytes.
void fg_bilinear_rgb_scalar(const uint8_t *src, int width, int height, const double m[4], const double t[2],
                            uint8_t *dst, int out_width, int out_height);

/// One cascade of dlib's shape predictor. Samples `feature_count` pixel intensities at
/// `anchor + L * delta` (L = `m`, the cascade's 2x2 similarity, in box-normalised float
/// coordinates; box = left, top, width, height in pixels; RGB pixels read as (r + g + b) / 3),
/// then walks `tree_count` trees of `splits_per_tree` splits (`split_features` pairs,
/// `thresholds`), adding each reached leaf (`2 * landmarks` floats) to `shape`.
void fg_shape_cascade(const uint8_t *pixels, int width, int height, int channels,
                      const double box[4], const float m[4],
                      const int32_t *anchors, const float *deltas, int feature_count, float *features,
                      const int32_t *split_features, const float *thresholds, int tree_count,
                      int splits_per_tree, const float *leaves, int landmarks, float *shape);

#endif
