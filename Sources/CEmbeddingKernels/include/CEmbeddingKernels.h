// CEmbeddingKernels: the CNN engine's hot loops in C (NHWC, float32), AVX2/FMA with a runtime
// CPU check and a portable scalar fallback, plus a forwarder to OpenBLAS sgemm.
// Owned by Sources/Embedding/Engine (Kernels.swift); nothing else calls these.
#pragma once
#include <stddef.h>

/// Activation codes of the fused epilogues.
enum { FG_ACT_NONE = 0, FG_ACT_RELU = 1, FG_ACT_CLIP = 2, FG_ACT_PRELU = 3, FG_ACT_SIGMOID = 4 };

/// Instruction-set levels; each call runs at min(requested, what the CPU has).
enum { FG_ISA_SCALAR = 0, FG_ISA_AVX2 = 1, FG_ISA_AVX512 = 2 };

/// Epilogue parameters: y = act(y + bias[c] + residual[m, c]); also carries the ISA level.
typedef struct fg_epilogue {
    const float *bias;      // per output channel, may be NULL
    const float *residual;  // same layout as y (row stride ld_residual), may be NULL
    int ld_residual;
    int act;                // FG_ACT_*
    float lo, hi;           // clip bounds
    const float *slopes;    // PReLU slopes per channel
    int isa;                // FG_ISA_* requested for the call
} fg_epilogue;

/// 1 when the CPU (and OS) support AVX2 and FMA, which the fast paths need.
int fg_cpu_has_avx2_fma(void);
/// 1 when AVX-512F is usable too (and FACEGATE_NO_AVX512 is unset).
int fg_cpu_has_avx512(void);
/// The best FG_ISA_* level this CPU runs.
int fg_best_isa(void);
/// Columns per packed GEMM panel for a level (32 for AVX-512, else 16).
int fg_panel_width(int isa);
/// Limits OpenBLAS to `n` threads (the engine parallelises across the batch itself).
void fg_blas_set_threads(int n);

/// Row-major C[M,N] = A[M,K] * B[K,N] through OpenBLAS (why: the fastest sgemm measured here).
void fg_sgemm_blas(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc);

/// Own GEMM on B pre-packed by fg_pack_b (for the level in ep->isa): C[M,N] = A[M,K] * B + epilogue.
size_t fg_packed_b_size(int K, int N, int isa);
void fg_pack_b(int K, int N, const float *B, int ldb, float *packed, int isa);
void fg_gemm_packed(int M, int N, int K, const float *A, int lda, const float *packed, float *C, int ldc,
                    const fg_epilogue *ep);

/// Applies an epilogue in place to rows [0, M) of y (N channels, row stride ldy).
void fg_apply_epilogue(float *y, int M, int N, int ldy, const fg_epilogue *ep);

/// Depthwise convolution of one image, NHWC; w is [kh][kw][C]. Epilogue fused.
void fg_depthwise(const float *x, int H, int W, int C, const float *w, int kh, int kw, int sy, int sx,
                  int pt, int pl, float *y, int OH, int OW, const fg_epilogue *ep);

/// Copies one NHWC image into a zero-filled Hp x Wp frame at row pt, column pl (for fg_conv_implicit).
void fg_pad_input(const float *x, int H, int W, int C, int pt, int pl, int Hp, int Wp, float *xp);

/// Convolution (groups 1) of one NHWC image without an im2col copy: xp is the input framed so that
/// every tap is inside it (Wp columns, C channels, no padding left: see fg_pad_input); rows
/// [rowBegin, rowEnd) and columns [colBegin, colEnd) of the frame hold the image (taps that see
/// only the zero frame are skipped); packed is fg_pack_b of the im2col matrix [kh*kw*C][N] for
/// the level in ep->isa. Epilogue fused. AVX-512 kernel; below that level a portable loop (plans
/// for AVX2 use im2col + GEMM instead, which is faster there).
void fg_conv_implicit(const float *xp, int Wp, int C, int rowBegin, int rowEnd, int colBegin, int colEnd, int kh, int kw,
                      int sy, int sx, const float *packed, int N, float *y, int OH, int OW, const fg_epilogue *ep);

/// im2col of channels [c0, c0+cg) of one NHWC image: col is [OH*OW][kh*kw*cg], zero padded.
void fg_im2col(const float *x, int H, int W, int C, int c0, int cg, int kh, int kw, int sy, int sx,
               int pt, int pl, int OH, int OW, float *col);

/// Max (is_max) or average pooling of one NHWC image (isa: FG_ISA_* level requested).
void fg_pool(const float *x, int H, int W, int C, int kh, int kw, int sy, int sx, int pt, int pl, int pb, int pr,
             int is_max, int count_pad, float *y, int OH, int OW, int isa);

/// Per-channel affine and activation over P positions of C channels: y = act(x * s[c] + b[c]).
void fg_affine(const float *x, int P, int C, const float *scale, const float *bias, const fg_epilogue *ep, float *y);

/// Mean over P positions per channel: y[c] = mean_p x[p, c].
void fg_global_avg(const float *x, int P, int C, float *y);

/// y = a + b or a * b; b has P positions (same shape) or one (broadcast per channel).
void fg_binary(const float *a, const float *b, int P, int C, int b_positions, int is_mul, float *y);

