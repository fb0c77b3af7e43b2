// The engine's hot loops. Every public function has an AVX2/FMA path (compiled with a target
// attribute so the rest of the file stays baseline x86-64) and a scalar path used when the CPU
// lacks AVX2/FMA or when tests force it.
#include "CEmbeddingKernels.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define FG_X86 1
#define FG_AVX2 __attribute__((target("avx2,fma")))
#define FG_AVX512 __attribute__((target("avx512f,avx2,fma")))
#else
#define FG_X86 0
#endif

static int fg_has_avx2 = -1;

int fg_cpu_has_avx2_fma(void) {
#if FG_X86
    if (fg_has_avx2 < 0) {
        __builtin_cpu_init();
        fg_has_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    return fg_has_avx2;
#else
    return 0;
#endif
}

static int fg_has_avx512 = -1;

int fg_cpu_has_avx512(void) {
#if FG_X86
    if (fg_has_avx512 < 0) {
        __builtin_cpu_init();
        fg_has_avx512 = fg_cpu_has_avx2_fma() && __builtin_cpu_supports("avx512f") && !getenv("FACEGATE_NO_AVX512");
    }
    return fg_has_avx512;
#else
    return 0;
#endif
}

int fg_best_isa(void) { return fg_cpu_has_avx512() ? FG_ISA_AVX512 : (fg_cpu_has_avx2_fma() ? FG_ISA_AVX2 : FG_ISA_SCALAR); }

// The instruction set an epilogue asks for, never above what the CPU has.
static inline int isa_of(const fg_epilogue *ep) {
    int want = ep ? ep->isa : FG_ISA_SCALAR;
    int best = fg_best_isa();
    return want < best ? want : best;
}
static inline int use_avx2(const fg_epilogue *ep) { return isa_of(ep) >= FG_ISA_AVX2; }
static inline int use_avx512(const fg_epilogue *ep) { return isa_of(ep) >= FG_ISA_AVX512; }

// OpenBLAS entry points, declared here so the shim does not depend on which cblas.h variant
// (pthread/openmp/serial) Debian's alternatives select.
extern void cblas_sgemm(int order, int transa, int transb, int M, int N, int K, float alpha, const float *A,
                        int lda, const float *B, int ldb, float beta, float *C, int ldc);
extern void openblas_set_num_threads(int n);

void fg_blas_set_threads(int n) { openblas_set_num_threads(n); }

void fg_sgemm_blas(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc) {
    cblas_sgemm(101 /* RowMajor */, 111 /* NoTrans */, 111, M, N, K, 1.0f, A, lda, B, ldb, 0.0f, C, ldc);
}

// ---------------------------------------------------------------------------------------------
// Scalar epilogue.

static inline float act1(float v, int c, const fg_epilogue *ep) {
    switch (ep->act) {
    case FG_ACT_RELU: return v > 0 ? v : 0;
    case FG_ACT_CLIP: return v < ep->lo ? ep->lo : (v > ep->hi ? ep->hi : v);
    case FG_ACT_PRELU: return v >= 0 ? v : v * ep->slopes[c];
    case FG_ACT_SIGMOID: return 1.0f / (1.0f + expf(-v));
    default: return v;
    }
}

static void epilogue_scalar(float *y, int M, int N, int ldy, const fg_epilogue *ep) {
    for (int m = 0; m < M; m++) {
        float *row = y + (size_t)m * ldy;
        const float *res = ep->residual ? ep->residual + (size_t)m * ep->ld_residual : NULL;
        for (int n = 0; n < N; n++) {
            float v = row[n];
            if (ep->bias) v += ep->bias[n];
            if (res) v += res[n];
            row[n] = act1(v, n, ep);
        }
    }
}

#if FG_X86
// Applies bias, residual and activation to 8 channels starting at n.
// Sigmoid lanes go through libm, out of line so the inlined epilogues stay small.
FG_AVX2 __attribute__((noinline)) static __m256 sigmoid8(__m256 v) {
    float t[8];
    _mm256_storeu_ps(t, v);
    for (int i = 0; i < 8; i++) t[i] = 1.0f / (1.0f + expf(-t[i]));
    return _mm256_loadu_ps(t);
}

// Always inlined: as a call it spilled every accumulator and cost ~200 cycles per GEMM tile.
FG_AVX2 static inline __attribute__((always_inline)) __m256 ep8(__m256 v, int n, const float *res_row, const fg_epilogue *ep) {
    if (ep->bias) v = _mm256_add_ps(v, _mm256_loadu_ps(ep->bias + n));
    if (res_row) v = _mm256_add_ps(v, _mm256_loadu_ps(res_row + n));
    switch (ep->act) {
    case FG_ACT_RELU: return _mm256_max_ps(v, _mm256_setzero_ps());
    case FG_ACT_CLIP: return _mm256_min_ps(_mm256_max_ps(v, _mm256_set1_ps(ep->lo)), _mm256_set1_ps(ep->hi));
    case FG_ACT_PRELU: {
        __m256 neg = _mm256_mul_ps(v, _mm256_loadu_ps(ep->slopes + n));
        return _mm256_blendv_ps(v, neg, _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ));
    }
    case FG_ACT_SIGMOID: return sigmoid8(v);
    default: return v;
    }
}

FG_AVX2 static void epilogue_avx2(float *y, int M, int N, int ldy, const fg_epilogue *ep) {
    for (int m = 0; m < M; m++) {
        float *row = y + (size_t)m * ldy;
        const float *res = ep->residual ? ep->residual + (size_t)m * ep->ld_residual : NULL;
        int n = 0;
        for (; n + 8 <= N; n += 8) _mm256_storeu_ps(row + n, ep8(_mm256_loadu_ps(row + n), n, res, ep));
        for (; n < N; n++) {
            float v = row[n];
            if (ep->bias) v += ep->bias[n];
            if (res) v += res[n];
            row[n] = act1(v, n, ep);
        }
    }
}
#endif

void fg_apply_epilogue(float *y, int M, int N, int ldy, const fg_epilogue *ep) {
    if (ep->act == FG_ACT_NONE && !ep->bias && !ep->residual) return;
#if FG_X86
    if (use_avx2(ep)) { epilogue_avx2(y, M, N, ldy, ep); return; }
#endif
    epilogue_scalar(y, M, N, ldy, ep);
}

// ---------------------------------------------------------------------------------------------
// GEMM with B packed in panels of 16 columns: packed[panel][k][16], zero padded.

#define NR 16
#define MR 6

// Panel width: 32 columns (two zmm) for the AVX-512 kernel, else 16 (two ymm).
int fg_panel_width(int isa) { return isa >= FG_ISA_AVX512 && fg_cpu_has_avx512() ? 32 : 16; }

size_t fg_packed_b_size(int K, int N, int isa) {
    int pw = fg_panel_width(isa);
    return (size_t)((N + pw - 1) / pw) * (size_t)K * pw;
}

void fg_pack_b(int K, int N, const float *B, int ldb, float *packed, int isa) {
    int pw = fg_panel_width(isa);
    int panels = (N + pw - 1) / pw;
    for (int p = 0; p < panels; p++) {
        float *dst = packed + (size_t)p * K * pw;
        for (int k = 0; k < K; k++) {
            for (int j = 0; j < pw; j++) {
                int n = p * pw + j;
                dst[(size_t)k * pw + j] = n < N ? B[(size_t)k * ldb + n] : 0.0f;
            }
        }
    }
}

static void gemm_scalar(int M, int N, int K, const float *A, int lda, const float *packed, float *C, int ldc,
                        const fg_epilogue *ep) {
    for (int m = 0; m < M; m++) {
        for (int n = 0; n < N; n++) {
            const int pw = 16;  // the scalar path runs on 16-wide panels
            const float *bp = packed + (size_t)(n / pw) * K * pw + (n % pw);
            float acc = 0;
            for (int k = 0; k < K; k++) acc += A[(size_t)m * lda + k] * bp[(size_t)k * pw];
            C[(size_t)m * ldc + n] = acc;
        }
    }
    if (ep) fg_apply_epilogue(C, M, N, ldc, ep);
}

#if FG_X86
// MRx16 register tile: rows m..m+mr of A times one packed panel, full K, epilogue fused.
// Always inlined with a constant mr, so each variant keeps its accumulators in registers.
FG_AVX2 static inline __attribute__((always_inline)) void tile_16(const int mr, int nr, int K, const float *A, int lda,
                                                                 const float *bp, float *C, int ldc, int n0,
                                                                 const fg_epilogue *ep) {
    __m256 acc[MR][2];
    for (int i = 0; i < mr; i++) { acc[i][0] = _mm256_setzero_ps(); acc[i][1] = _mm256_setzero_ps(); }
    for (int k = 0; k < K; k++) {
        _mm_prefetch((const char *)(bp + (size_t)(k + 96) * NR), _MM_HINT_T0);
        __m256 b0 = _mm256_loadu_ps(bp + (size_t)k * NR), b1 = _mm256_loadu_ps(bp + (size_t)k * NR + 8);
        for (int i = 0; i < mr; i++) {
            __m256 x = _mm256_broadcast_ss(A + (size_t)i * lda + k);
            acc[i][0] = _mm256_fmadd_ps(x, b0, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(x, b1, acc[i][1]);
        }
    }
    for (int i = 0; i < mr; i++) {
        float *crow = C + (size_t)i * ldc;
        const float *res = ep && ep->residual ? ep->residual + (size_t)i * ep->ld_residual : NULL;
        if (nr == NR) {
            __m256 v0 = acc[i][0], v1 = acc[i][1];
            if (ep) { v0 = ep8(v0, n0, res ? res - n0 : NULL, ep); v1 = ep8(v1, n0 + 8, res ? res - n0 : NULL, ep); }
            _mm256_storeu_ps(crow, v0);
            _mm256_storeu_ps(crow + 8, v1);
        } else {
            float t[NR];
            _mm256_storeu_ps(t, acc[i][0]);
            _mm256_storeu_ps(t + 8, acc[i][1]);
            for (int j = 0; j < nr; j++) {
                float v = t[j];
                if (ep) {
                    if (ep->bias) v += ep->bias[n0 + j];
                    if (res) v += res[j];
                    v = act1(v, n0 + j, ep);
                }
                crow[j] = v;
            }
        }
    }
}

FG_AVX2 static void micro_6x16(int mr, int nr, int K, const float *A, int lda, const float *bp, float *C, int ldc,
                               int n0, const fg_epilogue *ep) {
    switch (mr) {
    case 6: tile_16(6, nr, K, A, lda, bp, C, ldc, n0, ep); break;
    case 5: tile_16(5, nr, K, A, lda, bp, C, ldc, n0, ep); break;
    case 4: tile_16(4, nr, K, A, lda, bp, C, ldc, n0, ep); break;
    case 3: tile_16(3, nr, K, A, lda, bp, C, ldc, n0, ep); break;
    case 2: tile_16(2, nr, K, A, lda, bp, C, ldc, n0, ep); break;
    default: tile_16(1, nr, K, A, lda, bp, C, ldc, n0, ep); break;
    }
}

FG_AVX2 static void gemm_avx2(int M, int N, int K, const float *A, int lda, const float *packed, float *C, int ldc,
                              const fg_epilogue *ep) {
    int panels = (N + NR - 1) / NR;
    // Column groups whose packed panels fit in L2 (~256 KB) while a 6-row strip of A stays in L1.
    int group = (int)(65536 / ((size_t)K * NR));
    if (group < 1) group = 1;
    fg_epilogue shifted;
    for (int p0 = 0; p0 < panels; p0 += group) {
        int p1 = p0 + group < panels ? p0 + group : panels;
        for (int m = 0; m < M; m += MR) {
            int mr = M - m < MR ? M - m : MR;
            for (int p = p0; p < p1; p++) {
                int n0 = p * NR;
                int nr = N - n0 < NR ? N - n0 : NR;
                const fg_epilogue *e = ep;
                if (ep && ep->residual) {
                    shifted = *ep;
                    shifted.residual = ep->residual + (size_t)m * ep->ld_residual + n0;
                    e = &shifted;
                }
                micro_6x16(mr, nr, K, A + (size_t)m * lda, lda, packed + (size_t)p * K * NR, C + (size_t)m * ldc + n0, ldc,
                           n0, e);
            }
        }
    }
}
#endif

#if FG_X86
// AVX-512: MRx32 tiles (two zmm per row) on 32-wide panels.
FG_AVX512 static inline __attribute__((always_inline)) __m512 ep16m(__m512 v, int c, __mmask16 m, const float *res,
                                                                    const fg_epilogue *ep);

FG_AVX512 __attribute__((noinline)) static __m512 sigmoid16(__m512 v) {
    float t[16];
    _mm512_storeu_ps(t, v);
    for (int i = 0; i < 16; i++) t[i] = 1.0f / (1.0f + expf(-t[i]));
    return _mm512_loadu_ps(t);
}
#define MR512 8
#define NR512 32

FG_AVX512 static inline __attribute__((always_inline)) __m512 ep16(__m512 v, int n, const float *res_row,
                                                                   const fg_epilogue *ep) {
    if (ep->bias) v = _mm512_add_ps(v, _mm512_loadu_ps(ep->bias + n));
    if (res_row) v = _mm512_add_ps(v, _mm512_loadu_ps(res_row + n));
    switch (ep->act) {
    case FG_ACT_RELU: return _mm512_max_ps(v, _mm512_setzero_ps());
    case FG_ACT_CLIP: return _mm512_min_ps(_mm512_max_ps(v, _mm512_set1_ps(ep->lo)), _mm512_set1_ps(ep->hi));
    case FG_ACT_PRELU: {
        __mmask16 neg = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LT_OQ);
        return _mm512_mask_mul_ps(v, neg, v, _mm512_loadu_ps(ep->slopes + n));
    }
    case FG_ACT_SIGMOID: return sigmoid16(v);
    default: return v;
    }
}

FG_AVX512 static inline __attribute__((always_inline)) void tile_32(const int mr, int nr, int K, const float *A, int lda,
                                                                   const float *bp, float *C, int ldc, int n0,
                                                                   const fg_epilogue *ep, const int pf) {
    __m512 acc[MR512][2];
    for (int i = 0; i < mr; i++) { acc[i][0] = _mm512_setzero_ps(); acc[i][1] = _mm512_setzero_ps(); }
    for (int k = 0; k < K; k++) {
        // Weights stream from L3/DRAM in the small-M layers: fetch a few rows ahead.
        if (pf) {
            _mm_prefetch((const char *)(bp + (size_t)(k + 48) * NR512), _MM_HINT_T0);
            _mm_prefetch((const char *)(bp + (size_t)(k + 48) * NR512 + 16), _MM_HINT_T0);
        }
        __m512 b0 = _mm512_loadu_ps(bp + (size_t)k * NR512), b1 = _mm512_loadu_ps(bp + (size_t)k * NR512 + 16);
        for (int i = 0; i < mr; i++) {
            __m512 x = _mm512_set1_ps(A[(size_t)i * lda + k]);
            acc[i][0] = _mm512_fmadd_ps(x, b0, acc[i][0]);
            acc[i][1] = _mm512_fmadd_ps(x, b1, acc[i][1]);
        }
    }
    for (int i = 0; i < mr; i++) {
        float *crow = C + (size_t)i * ldc;
        const float *res = ep && ep->residual ? ep->residual + (size_t)i * ep->ld_residual : NULL;
        if (nr == NR512) {
            __m512 v0 = acc[i][0], v1 = acc[i][1];
            if (ep) { v0 = ep16(v0, n0, res ? res - n0 : NULL, ep); v1 = ep16(v1, n0 + 16, res ? res - n0 : NULL, ep); }
            _mm512_storeu_ps(crow, v0);
            _mm512_storeu_ps(crow + 16, v1);
        } else {  // a panel with 17..31 live columns: masked epilogue and stores
            __mmask16 m0 = nr >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nr) - 1);
            __mmask16 m1 = nr <= 16 ? (__mmask16)0 : (__mmask16)((1u << (nr - 16)) - 1);
            __m512 v0 = acc[i][0], v1 = acc[i][1];
            if (ep) { v0 = ep16m(v0, n0, m0, res ? res - n0 : NULL, ep); v1 = ep16m(v1, n0 + 16, m1, res ? res - n0 : NULL, ep); }
            _mm512_mask_storeu_ps(crow, m0, v0);
            _mm512_mask_storeu_ps(crow + 16, m1, v1);
        }
    }
}

// A panel whose live columns fit one zmm (N % 32 <= 16): half the FMAs of tile_32.
FG_AVX512 static inline __attribute__((always_inline)) void tile_32h(const int mr, int nr, int K, const float *A, int lda,
                                                                    const float *bp, float *C, int ldc, int n0,
                                                                    const fg_epilogue *ep) {
    __m512 acc[MR512];
    for (int i = 0; i < mr; i++) acc[i] = _mm512_setzero_ps();
    for (int k = 0; k < K; k++) {
        _mm_prefetch((const char *)(bp + (size_t)(k + 48) * NR512), _MM_HINT_T0);
        __m512 b0 = _mm512_loadu_ps(bp + (size_t)k * NR512);
        for (int i = 0; i < mr; i++) acc[i] = _mm512_fmadd_ps(_mm512_set1_ps(A[(size_t)i * lda + k]), b0, acc[i]);
    }
    __mmask16 m = nr >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nr) - 1);
    for (int i = 0; i < mr; i++) {
        const float *res = ep && ep->residual ? ep->residual + (size_t)i * ep->ld_residual : NULL;
        __m512 v = acc[i];
        if (ep) v = ep16m(v, n0, m, res ? res - n0 : NULL, ep);
        _mm512_mask_storeu_ps(C + (size_t)i * ldc, m, v);
    }
}

FG_AVX512 static void micro_32h(int mr, int nr, int K, const float *A, int lda, const float *bp, float *C, int ldc,
                                int n0, const fg_epilogue *ep) {
    switch (mr) {
    case 8: tile_32h(8, nr, K, A, lda, bp, C, ldc, n0, ep); break;
    case 7: tile_32h(7, nr, K, A, lda, bp, C, ldc, n0, ep); break;
    case 6: tile_32h(6, nr, K, A, lda, bp, C, ldc, n0, ep); break;
    case 5: tile_32h(5, nr, K, A, lda, bp, C, ldc, n0, ep); break;
    case 4: tile_32h(4, nr, K, A, lda, bp, C, ldc, n0, ep); break;
    case 3: tile_32h(3, nr, K, A, lda, bp, C, ldc, n0, ep); break;
    case 2: tile_32h(2, nr, K, A, lda, bp, C, ldc, n0, ep); break;
    default: tile_32h(1, nr, K, A, lda, bp, C, ldc, n0, ep); break;
    }
}

FG_AVX512 static void micro_32p(int mr, int nr, int K, const float *A, int lda, const float *bp, float *C, int ldc,
                                int n0, const fg_epilogue *ep) {
    switch (mr) {
    case 8: tile_32(8, nr, K, A, lda, bp, C, ldc, n0, ep, 1); break;
    case 7: tile_32(7, nr, K, A, lda, bp, C, ldc, n0, ep, 1); break;
    case 6: tile_32(6, nr, K, A, lda, bp, C, ldc, n0, ep, 1); break;
    case 5: tile_32(5, nr, K, A, lda, bp, C, ldc, n0, ep, 1); break;
    case 4: tile_32(4, nr, K, A, lda, bp, C, ldc, n0, ep, 1); break;
    case 3: tile_32(3, nr, K, A, lda, bp, C, ldc, n0, ep, 1); break;
    case 2: tile_32(2, nr, K, A, lda, bp, C, ldc, n0, ep, 1); break;
    default: tile_32(1, nr, K, A, lda, bp, C, ldc, n0, ep, 1); break;
    }
}

FG_AVX512 static void micro_32(int mr, int nr, int K, const float *A, int lda, const float *bp, float *C, int ldc,
                               int n0, const fg_epilogue *ep, int prefetch) {
    if (nr <= 16) { micro_32h(mr, nr, K, A, lda, bp, C, ldc, n0, ep); return; }
    if (prefetch) { micro_32p(mr, nr, K, A, lda, bp, C, ldc, n0, ep); return; }
    switch (mr) {
    case 8: tile_32(8, nr, K, A, lda, bp, C, ldc, n0, ep, 0); break;
    case 7: tile_32(7, nr, K, A, lda, bp, C, ldc, n0, ep, 0); break;
    case 6: tile_32(6, nr, K, A, lda, bp, C, ldc, n0, ep, 0); break;
    case 5: tile_32(5, nr, K, A, lda, bp, C, ldc, n0, ep, 0); break;
    case 4: tile_32(4, nr, K, A, lda, bp, C, ldc, n0, ep, 0); break;
    case 3: tile_32(3, nr, K, A, lda, bp, C, ldc, n0, ep, 0); break;
    case 2: tile_32(2, nr, K, A, lda, bp, C, ldc, n0, ep, 0); break;
    default: tile_32(1, nr, K, A, lda, bp, C, ldc, n0, ep, 0); break;
    }
}

FG_AVX512 static void gemm_avx512(int M, int N, int K, const float *A, int lda, const float *packed, float *C, int ldc,
                                  const fg_epilogue *ep) {
    int panels = (N + NR512 - 1) / NR512;
    int group = (int)(65536 / ((size_t)K * NR512));
    if (group < 1) group = 1;
    fg_epilogue shifted;
    for (int p0 = 0; p0 < panels; p0 += group) {
        int p1 = p0 + group < panels ? p0 + group : panels;
        for (int m = 0; m < M; m += MR512) {
            int mr = M - m < MR512 ? M - m : MR512;
            for (int p = p0; p < p1; p++) {
                int n0 = p * NR512;
                int nr = N - n0 < NR512 ? N - n0 : NR512;
                const fg_epilogue *e = ep;
                if (ep && ep->residual) {
                    shifted = *ep;
                    shifted.residual = ep->residual + (size_t)m * ep->ld_residual + n0;
                    e = &shifted;
                }
                // Few rows per weight: the weights stream from memory, so prefetch them.
                micro_32(mr, nr, K, A + (size_t)m * lda, lda, packed + (size_t)p * K * NR512, C + (size_t)m * ldc + n0,
                         ldc, n0, e, M <= 64);
            }
        }
    }
}
#endif

void fg_gemm_packed(int M, int N, int K, const float *A, int lda, const float *packed, float *C, int ldc,
                    const fg_epilogue *ep) {
#if FG_X86
    if (use_avx512(ep)) { gemm_avx512(M, N, K, A, lda, packed, C, ldc, ep); return; }
    if (use_avx2(ep)) { gemm_avx2(M, N, K, A, lda, packed, C, ldc, ep); return; }
#endif
    gemm_scalar(M, N, K, A, lda, packed, C, ldc, ep);
}

// ---------------------------------------------------------------------------------------------
// Implicit-GEMM convolution (groups 1): the GEMM tiles read the NHWC input in place through one
// offset per kernel tap instead of an im2col copy. B is the im2col path's packed matrix
// (k = (ky*kw + kx)*C + c), so both paths share weights. Rows of a tile are output positions
// (across output rows), each with its own input pointer.

void fg_pad_input(const float *x, int H, int W, int C, int pt, int pl, int Hp, int Wp, float *xp) {
    size_t row = (size_t)Wp * C;
    for (int r = 0; r < Hp; r++) {
        float *dst = xp + (size_t)r * row;
        int sr = r - pt;
        if (sr < 0 || sr >= H) { memset(dst, 0, sizeof(float) * row); continue; }
        int left = pl < Wp ? pl : Wp;
        memset(dst, 0, sizeof(float) * (size_t)left * C);
        int cols = W < Wp - pl ? W : Wp - pl;
        if (cols > 0) memcpy(dst + (size_t)pl * C, x + (size_t)sr * W * C, sizeof(float) * (size_t)cols * C);
        int done = pl + (cols > 0 ? cols : 0);
        if (done < Wp) memset(dst + (size_t)done * C, 0, sizeof(float) * (size_t)(Wp - done) * C);
    }
}

static void conv_implicit_scalar(const float *xp, int Wp, int C, int kh, int kw, int sy, int sx, const float *packed,
                                 int N, float *y, int OH, int OW, const fg_epilogue *ep) {
    const int pw = 16;  // the scalar path runs on 16-wide panels
    size_t K = (size_t)kh * kw * C;
    for (int oy = 0; oy < OH; oy++) {
        for (int ox = 0; ox < OW; ox++) {
            float *out = y + ((size_t)oy * OW + ox) * N;
            for (int n = 0; n < N; n++) {
                const float *bp = packed + (size_t)(n / pw) * K * pw + (n % pw);
                float acc = 0;
                for (int ky = 0; ky < kh; ky++)
                    for (int kx = 0; kx < kw; kx++) {
                        const float *a = xp + ((size_t)(oy * sy + ky) * Wp + (size_t)ox * sx + kx) * C;
                        const float *b = bp + (size_t)(ky * kw + kx) * C * pw;
                        for (int c = 0; c < C; c++) acc += a[c] * b[(size_t)c * pw];
                    }
                out[n] = acc;
            }
        }
    }
    if (ep) fg_apply_epilogue(y, OH * OW, N, N, ep);
}

#if FG_X86
// (AVX-512 only: a 6x16 AVX2 variant measured at half the speed of im2col + GEMM on AVX2, whose
// 16 ymm registers cannot hold the tile plus per-row pointers, so AVX2 plans use im2col.)
#define MR512C 8
FG_AVX512 static inline __attribute__((always_inline)) void ctile_32(const int mr, int nr, const float *const *rows,
                                                                    const int *tapoff, const int *tapidx, int taps, int C,
                                                                    const float *bp, float *out, int ldc, int n0,
                                                                    const fg_epilogue *ep, const int pf) {
    __m512 acc[MR512C][2];
    for (int i = 0; i < mr; i++) { acc[i][0] = _mm512_setzero_ps(); acc[i][1] = _mm512_setzero_ps(); }
    for (int t = 0; t < taps; t++) {
        const float *a[MR512C];
        for (int i = 0; i < mr; i++) a[i] = rows[i] + tapoff[t];
        const float *b = bp + (size_t)tapidx[t] * 32;
        for (int k = 0; k < C; k++) {
            if (pf) {
                _mm_prefetch((const char *)(b + (size_t)(k + 48) * 32), _MM_HINT_T0);
                _mm_prefetch((const char *)(b + (size_t)(k + 48) * 32 + 16), _MM_HINT_T0);
            }
            __m512 b0 = _mm512_loadu_ps(b + (size_t)k * 32), b1 = _mm512_loadu_ps(b + (size_t)k * 32 + 16);
            for (int i = 0; i < mr; i++) {
                __m512 x = _mm512_set1_ps(a[i][k]);
                acc[i][0] = _mm512_fmadd_ps(x, b0, acc[i][0]);
                acc[i][1] = _mm512_fmadd_ps(x, b1, acc[i][1]);
            }
        }
    }
    for (int i = 0; i < mr; i++) {
        float *crow = out + (size_t)i * ldc;
        const float *res = ep && ep->residual ? ep->residual + (size_t)i * ep->ld_residual : NULL;
        if (nr == 32) {
            __m512 v0 = acc[i][0], v1 = acc[i][1];
            if (ep) { v0 = ep16(v0, n0, res ? res - n0 : NULL, ep); v1 = ep16(v1, n0 + 16, res ? res - n0 : NULL, ep); }
            _mm512_storeu_ps(crow, v0);
            _mm512_storeu_ps(crow + 16, v1);
        } else {
            __mmask16 m0 = nr >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nr) - 1);
            __mmask16 m1 = nr <= 16 ? (__mmask16)0 : (__mmask16)((1u << (nr - 16)) - 1);
            __m512 v0 = acc[i][0], v1 = acc[i][1];
            if (ep) { v0 = ep16m(v0, n0, m0, res ? res - n0 : NULL, ep); v1 = ep16m(v1, n0 + 16, m1, res ? res - n0 : NULL, ep); }
            _mm512_mask_storeu_ps(crow, m0, v0);
            _mm512_mask_storeu_ps(crow + 16, m1, v1);
        }
    }
}

FG_AVX512 static void cmicro_32(int mr, int nr, const float *const *rows, const int *tapoff, const int *tapidx, int taps, int C,
                                const float *bp, float *out, int ldc, int n0, const fg_epilogue *ep, int pf) {
    if (pf) {
        switch (mr) {
        case 8: ctile_32(8, nr, rows, tapoff, tapidx, taps, C, bp, out, ldc, n0, ep, 1); break;
        case 7: ctile_32(7, nr, rows, tapoff, tapidx, taps, C, bp, out, ldc, n0, ep, 1); break;
        case 6: ctile_32(6, nr, rows, tapoff, tapidx, taps, C, bp, out, ldc, n0, ep, 1); break;
        case 5: ctile_32(5, nr, rows, tapoff, tapidx, taps, C, bp, out, ldc, n0, ep, 1); break;
        case 4: ctile_32(4, nr, rows, tapoff, tapidx, taps, C, bp, out, ldc, n0, ep, 1); break;
        case 3: ctile_32(3, nr, rows, tapoff, tapidx, taps, C, bp, out, ldc, n0, ep, 1); break;
        case 2: ctile_32(2, nr, rows, tapoff, tapidx, taps, C, bp, out, ldc, n0, ep, 1); break;
        default: ctile_32(1, nr, rows, tapoff, tapidx, taps, C, bp, out, ldc, n0, ep, 1); break;
        }
        return;
    }
    switch (mr) {
    case 8: ctile_32(8, nr, rows, tapoff, tapidx, taps, C, bp, out, ldc, n0, ep, 0); break;
    case 7: ctile_32(7, nr, rows, tapoff, tapidx, taps, C, bp, out, ldc, n0, ep, 0); break;
    case 6: ctile_32(6, nr, rows, tapoff, tapidx, taps, C, bp, out, ldc, n0, ep, 0); break;
    case 5: ctile_32(5, nr, rows, tapoff, tapidx, taps, C, bp, out, ldc, n0, ep, 0); break;
    case 4: ctile_32(4, nr, rows, tapoff, tapidx, taps, C, bp, out, ldc, n0, ep, 0); break;
    case 3: ctile_32(3, nr, rows, tapoff, tapidx, taps, C, bp, out, ldc, n0, ep, 0); break;
    case 2: ctile_32(2, nr, rows, tapoff, tapidx, taps, C, bp, out, ldc, n0, ep, 0); break;
    default: ctile_32(1, nr, rows, tapoff, tapidx, taps, C, bp, out, ldc, n0, ep, 0); break;
    }
}
#endif

void fg_conv_implicit(const float *xp, int Wp, int C, int rowBegin, int rowEnd, int colBegin, int colEnd, int kh, int kw,
                      int sy, int sx, const float *packed, int N, float *y, int OH, int OW, const fg_epilogue *ep) {
#if FG_X86
    if (use_avx512(ep) && kh * kw <= 64) {
        const int nr_w = 32, mr_w = MR512C;
        int M = OH * OW;
        // Taps that read only padding for every output (e.g. a padded 3x3 on a 1x1 map) are skipped.
        // When every column of a kernel row is live, its kw taps are one run of kw*C contiguous
        // floats (NHWC) and of B rows: one tap of kw*C. tapidx is the tap's first row of B.
        int tapoff[64], tapidx[64], taps = 0, tapk = C;
        int colLive[64], allCols = 1;
        for (int kx = 0; kx < kw; kx++) {
            colLive[kx] = 0;
            for (int ox = 0; ox < OW && !colLive[kx]; ox++) colLive[kx] = ox * sx + kx >= colBegin && ox * sx + kx < colEnd;
            allCols &= colLive[kx];
        }
        if (allCols) tapk = kw * C;
        for (int ky = 0; ky < kh; ky++) {
            int rowLive = 0;
            for (int oy = 0; oy < OH && !rowLive; oy++) rowLive = oy * sy + ky >= rowBegin && oy * sy + ky < rowEnd;
            if (!rowLive) continue;
            for (int kx = 0; kx < (allCols ? 1 : kw); kx++) {
                if (!colLive[kx]) continue;
                tapoff[taps] = (ky * Wp + kx) * C;
                tapidx[taps] = (ky * kw + kx) * C;
                taps++;
            }
        }
        size_t K = (size_t)kh * kw * C;
        int panels = (N + nr_w - 1) / nr_w;
        int group = (int)(65536 / ((size_t)(taps > 0 ? taps : 1) * tapk * (size_t)nr_w));
        if (group < 1) group = 1;
        fg_epilogue shifted;
        for (int p0 = 0; p0 < panels; p0 += group) {
            int p1 = p0 + group < panels ? p0 + group : panels;
            for (int m = 0; m < M; m += mr_w) {
                int mr = M - m < mr_w ? M - m : mr_w;
                const float *rows[MR512C];
                for (int i = 0; i < mr; i++) {
                    int pos = m + i, oy = pos / OW, ox = pos - oy * OW;
                    rows[i] = xp + ((size_t)oy * sy * Wp + (size_t)ox * sx) * C;
                }
                for (int p = p0; p < p1; p++) {
                    int n0 = p * nr_w;
                    int nr = N - n0 < nr_w ? N - n0 : nr_w;
                    const fg_epilogue *e = ep;
                    if (ep && ep->residual) {
                        shifted = *ep;
                        shifted.residual = ep->residual + (size_t)m * ep->ld_residual + n0;
                        e = &shifted;
                    }
                    const float *bp = packed + (size_t)p * K * nr_w;
                    float *out = y + (size_t)m * N + n0;
                    cmicro_32(mr, nr, rows, tapoff, tapidx, taps, tapk, bp, out, N, n0, e, M <= 64);
                }
            }
        }
        return;
    }
#endif
    conv_implicit_scalar(xp, Wp, C, kh, kw, sy, sx, packed, N, y, OH, OW, ep);
}

// ---------------------------------------------------------------------------------------------
// Depthwise convolution, NHWC, vectorised across channels.

static void depthwise_scalar(const float *x, int H, int W, int C, const float *w, int kh, int kw, int sy, int sx,
                             int pt, int pl, float *y, int OH, int OW, const fg_epilogue *ep) {
    for (int oy = 0; oy < OH; oy++) {
        for (int ox = 0; ox < OW; ox++) {
            float *out = y + ((size_t)oy * OW + ox) * C;
            for (int c = 0; c < C; c++) out[c] = 0;
            for (int ky = 0; ky < kh; ky++) {
                int iy = oy * sy - pt + ky;
                if (iy < 0 || iy >= H) continue;
                for (int kx = 0; kx < kw; kx++) {
                    int ix = ox * sx - pl + kx;
                    if (ix < 0 || ix >= W) continue;
                    const float *in = x + ((size_t)iy * W + ix) * C;
                    const float *wk = w + ((size_t)ky * kw + kx) * C;
                    for (int c = 0; c < C; c++) out[c] += in[c] * wk[c];
                }
            }
        }
    }
    epilogue_scalar(y, OH * OW, C, C, ep);
}

#if FG_X86
// AVX2 twin of dw3_run (below, AVX-512): n adjacent interior outputs of a 3x3 depthwise conv
// (stride S = 1 or 2) on one 8-channel block, sliding window, epilogue fused.
FG_AVX2 static inline __attribute__((always_inline)) void dw3_run8(const int S, const float *x0, size_t rowStride, int C,
                                                                  const float *w, float *out, const float *res, int ldr,
                                                                  int n, int c, const fg_epilogue *ep) {
    const __m256 w0 = _mm256_loadu_ps(w + c), w1 = _mm256_loadu_ps(w + C + c), w2 = _mm256_loadu_ps(w + 2 * (size_t)C + c);
    const __m256 w4 = _mm256_loadu_ps(w + 3 * (size_t)C + c), w5 = _mm256_loadu_ps(w + 4 * (size_t)C + c);
    const __m256 w6 = _mm256_loadu_ps(w + 5 * (size_t)C + c), w7 = _mm256_loadu_ps(w + 6 * (size_t)C + c);
    const __m256 w8 = _mm256_loadu_ps(w + 7 * (size_t)C + c), w9 = _mm256_loadu_ps(w + 8 * (size_t)C + c);
    const float *r0 = x0, *r1 = x0 + rowStride, *r2 = x0 + 2 * rowStride;
    __m256 a0 = _mm256_loadu_ps(r0), a1 = S == 1 ? _mm256_loadu_ps(r0 + C) : _mm256_setzero_ps();
    __m256 b0 = _mm256_loadu_ps(r1), b1 = S == 1 ? _mm256_loadu_ps(r1 + C) : _mm256_setzero_ps();
    __m256 c0 = _mm256_loadu_ps(r2), c1 = S == 1 ? _mm256_loadu_ps(r2 + C) : _mm256_setzero_ps();
    const __m256 bias = ep->bias ? _mm256_loadu_ps(ep->bias + c) : _mm256_setzero_ps();
    const __m256 slopes = ep->act == FG_ACT_PRELU ? _mm256_loadu_ps(ep->slopes + c) : _mm256_setzero_ps();
    const __m256 lo = _mm256_set1_ps(ep->lo), hi = _mm256_set1_ps(ep->hi), zero = _mm256_setzero_ps();
    const int act = ep->act;
    for (int j = 0; j < n; j++) {
        size_t base = (size_t)j * S * C;
        if (S == 2) {
            a1 = _mm256_loadu_ps(r0 + base + C); b1 = _mm256_loadu_ps(r1 + base + C); c1 = _mm256_loadu_ps(r2 + base + C);
        }
        size_t off = base + 2 * (size_t)C;
        __m256 a2 = _mm256_loadu_ps(r0 + off), b2 = _mm256_loadu_ps(r1 + off), c2 = _mm256_loadu_ps(r2 + off);
        __m256 sum = _mm256_fmadd_ps(a0, w0, bias);
        __m256 t = _mm256_mul_ps(a1, w1);
        sum = _mm256_fmadd_ps(a2, w2, sum);
        t = _mm256_fmadd_ps(b0, w4, t);
        sum = _mm256_fmadd_ps(b1, w5, sum);
        t = _mm256_fmadd_ps(b2, w6, t);
        sum = _mm256_fmadd_ps(c0, w7, sum);
        t = _mm256_fmadd_ps(c1, w8, t);
        sum = _mm256_fmadd_ps(c2, w9, sum);
        sum = _mm256_add_ps(sum, t);
        if (res) sum = _mm256_add_ps(sum, _mm256_loadu_ps(res + (size_t)j * ldr));
        switch (act) {
        case FG_ACT_RELU: sum = _mm256_max_ps(sum, zero); break;
        case FG_ACT_CLIP: sum = _mm256_min_ps(_mm256_max_ps(sum, lo), hi); break;
        case FG_ACT_PRELU:
            sum = _mm256_blendv_ps(sum, _mm256_mul_ps(sum, slopes), _mm256_cmp_ps(sum, zero, _CMP_LT_OQ));
            break;
        case FG_ACT_SIGMOID: sum = sigmoid8(sum); break;
        default: break;
        }
        _mm256_storeu_ps(out + (size_t)j * C, sum);
        if (S == 1) { a0 = a1; a1 = a2; b0 = b1; b1 = b2; c0 = c1; c1 = c2; } else { a0 = a2; b0 = b2; c0 = c2; }
    }
}

FG_AVX2 static void dw3_run8_s1(const float *x0, size_t rs, int C, const float *w, float *out, const float *res, int ldr,
                                int n, int c, const fg_epilogue *ep) {
    dw3_run8(1, x0, rs, C, w, out, res, ldr, n, c, ep);
}

FG_AVX2 static void dw3_run8_s2(const float *x0, size_t rs, int C, const float *w, float *out, const float *res, int ldr,
                                int n, int c, const fg_epilogue *ep) {
    dw3_run8(2, x0, rs, C, w, out, res, ldr, n, c, ep);
}

FG_AVX2 static void depthwise_avx2(const float *x, int H, int W, int C, const float *w, int kh, int kw, int sy,
                                   int sx, int pt, int pl, float *y, int OH, int OW, const fg_epilogue *ep) {
    for (int oy = 0; oy < OH; oy++) {
        int ky0 = pt - oy * sy > 0 ? pt - oy * sy : 0;
        int ky1 = H + pt - oy * sy < kh ? H + pt - oy * sy : kh;
        for (int ox = 0; ox < OW; ox++) {
            if (kh == 3 && kw == 3 && (sx == 1 || sx == 2) && ky0 == 0 && ky1 == 3 && ox * sx - pl >= 0 && C >= 8) {
                // Interior run of a 3x3 row: sliding window per 8-channel block, scalar channel tail.
                int last = (W - 3 + pl) / sx;
                int end = last + 1 < OW ? last + 1 : OW;
                if (end - ox >= 2) {
                    int iy0 = oy * sy - pt, ix0 = ox * sx - pl;
                    int c8 = C & ~7;
                    size_t o0 = (size_t)oy * OW + ox;
                    for (int cb = 0; cb < c8; cb += 8) {
                        const float *x0 = x + ((size_t)iy0 * W + ix0) * C + cb;
                        const float *r = ep->residual ? ep->residual + o0 * ep->ld_residual + cb : NULL;
                        if (sx == 1) dw3_run8_s1(x0, (size_t)W * C, C, w, y + o0 * C + cb, r, ep->ld_residual, end - ox, cb, ep);
                        else dw3_run8_s2(x0, (size_t)W * C, C, w, y + o0 * C + cb, r, ep->ld_residual, end - ox, cb, ep);
                    }
                    for (int o = ox; o < end; o++) {
                        size_t op = (size_t)oy * OW + o;
                        const float *rr = ep->residual ? ep->residual + op * ep->ld_residual : NULL;
                        for (int cc = c8; cc < C; cc++) {
                            float a = 0;
                            for (int ky = 0; ky < 3; ky++)
                                for (int kx = 0; kx < 3; kx++)
                                    a += x[((size_t)(iy0 + ky) * W + (o * sx - pl + kx)) * C + cc] * w[((size_t)ky * 3 + kx) * C + cc];
                            if (ep->bias) a += ep->bias[cc];
                            if (rr) a += rr[cc];
                            y[op * C + cc] = act1(a, cc, ep);
                        }
                    }
                    ox = end - 1;
                    continue;
                }
            }
            int kx0 = pl - ox * sx > 0 ? pl - ox * sx : 0;
            int kx1 = W + pl - ox * sx < kw ? W + pl - ox * sx : kw;
            size_t opos = (size_t)oy * OW + ox;
            float *out = y + opos * C;
            const float *res = ep->residual ? ep->residual + opos * ep->ld_residual : NULL;
            int c = 0;
            for (; c + 16 <= C; c += 16) {
                __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
                for (int ky = ky0; ky < ky1; ky++) {
                    const float *in = x + ((size_t)(oy * sy - pt + ky) * W + (ox * sx - pl)) * C + c;
                    const float *wk = w + (size_t)ky * kw * C + c;
                    for (int kx = kx0; kx < kx1; kx++) {
                        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(in + (size_t)kx * C), _mm256_loadu_ps(wk + (size_t)kx * C), a0);
                        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(in + (size_t)kx * C + 8), _mm256_loadu_ps(wk + (size_t)kx * C + 8), a1);
                    }
                }
                _mm256_storeu_ps(out + c, ep8(a0, c, res, ep));
                _mm256_storeu_ps(out + c + 8, ep8(a1, c + 8, res, ep));
            }
            for (; c + 8 <= C; c += 8) {
                __m256 a0 = _mm256_setzero_ps();
                for (int ky = ky0; ky < ky1; ky++) {
                    const float *in = x + ((size_t)(oy * sy - pt + ky) * W + (ox * sx - pl)) * C + c;
                    const float *wk = w + (size_t)ky * kw * C + c;
                    for (int kx = kx0; kx < kx1; kx++)
                        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(in + (size_t)kx * C), _mm256_loadu_ps(wk + (size_t)kx * C), a0);
                }
                _mm256_storeu_ps(out + c, ep8(a0, c, res, ep));
            }
            for (; c < C; c++) {
                float a = 0;
                for (int ky = ky0; ky < ky1; ky++)
                    for (int kx = kx0; kx < kx1; kx++)
                        a += x[((size_t)(oy * sy - pt + ky) * W + (ox * sx - pl + kx)) * C + c] * w[((size_t)ky * kw + kx) * C + c];
                if (ep->bias) a += ep->bias[c];
                if (res) a += res[c];
                out[c] = act1(a, c, ep);
            }
        }
    }
}
#endif

#if FG_X86
// AVX-512 depthwise: 16-channel blocks outermost (each block's 3x3 weights stay in registers),
// a bounds-free path for interior pixels, masks for the channel tail.
FG_AVX512 static inline __attribute__((always_inline)) __m512 ep16m(__m512 v, int c, __mmask16 m, const float *res,
                                                                    const fg_epilogue *ep) {
    if (ep->bias) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, ep->bias + c));
    if (res) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, res + c));
    switch (ep->act) {
    case FG_ACT_RELU: return _mm512_max_ps(v, _mm512_setzero_ps());
    case FG_ACT_CLIP: return _mm512_min_ps(_mm512_max_ps(v, _mm512_set1_ps(ep->lo)), _mm512_set1_ps(ep->hi));
    case FG_ACT_PRELU: {
        __mmask16 neg = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LT_OQ);
        return _mm512_mask_mul_ps(v, neg, v, _mm512_maskz_loadu_ps(m, ep->slopes + c));
    }
    case FG_ACT_SIGMOID: return sigmoid16(v);
    default: return v;
    }
}

// Four horizontally adjacent interior outputs of a 3x3 depthwise conv with stride S: input
// columns are loaded once per row and shared (6 loads for 12 FMAs at stride 1).
#define FG_DW4(S)                                                                                              \
    FG_AVX512 static inline __attribute__((always_inline)) void dw4_s##S(const float *x0, size_t rowStride,     \
                                                                        int C, const __m512 *w3, __mmask16 m, \
                                                                        __m512 *a) {                          \
        a[0] = a[1] = a[2] = a[3] = _mm512_setzero_ps();                                                        \
        for (int ky = 0; ky < 3; ky++) {                                                                        \
            const float *row = x0 + (size_t)ky * rowStride;                                                     \
            __m512 in[3 * S + 3];                                                                               \
            for (int j = 0; j < 3 * S + 3; j++) in[j] = _mm512_maskz_loadu_ps(m, row + (size_t)j * C);          \
            for (int j = 0; j < 4; j++)                                                                         \
                for (int kx = 0; kx < 3; kx++) a[j] = _mm512_fmadd_ps(in[j * S + kx], w3[ky * 3 + kx], a[j]);    \
        }                                                                                                       \
    }
FG_DW4(1)
FG_DW4(2)

// A run of n adjacent interior outputs of a 3x3 depthwise conv (stride S = 1 or 2) on a full
// 16-channel block: weights in nine registers, the last input column of each kernel row carried
// to the next output (S new loads per row and 9 FMAs per output), epilogue fused.
FG_AVX512 static inline __attribute__((always_inline)) void dw3_run(const int S, const float *x0, size_t rowStride, int C,
                                                                   const __m512 *w3, float *out, const float *res, int ldr,
                                                                   int n, int c, const fg_epilogue *ep) {
    const __m512 w0 = w3[0], w1 = w3[1], w2 = w3[2], w4 = w3[3], w5 = w3[4], w6 = w3[5], w7 = w3[6], w8 = w3[7], w9 = w3[8];
    const float *r0 = x0, *r1 = x0 + rowStride, *r2 = x0 + 2 * rowStride;
    // Columns 0 and 1 of the window (stride 1), or column 0 (stride 2: columns 1, 2 are new each step).
    __m512 a0 = _mm512_loadu_ps(r0), a1 = S == 1 ? _mm512_loadu_ps(r0 + C) : _mm512_setzero_ps();
    __m512 b0 = _mm512_loadu_ps(r1), b1 = S == 1 ? _mm512_loadu_ps(r1 + C) : _mm512_setzero_ps();
    __m512 c0 = _mm512_loadu_ps(r2), c1 = S == 1 ? _mm512_loadu_ps(r2 + C) : _mm512_setzero_ps();
    const __m512 bias = ep->bias ? _mm512_loadu_ps(ep->bias + c) : _mm512_setzero_ps();
    const __m512 slopes = ep->act == FG_ACT_PRELU ? _mm512_loadu_ps(ep->slopes + c) : _mm512_setzero_ps();
    const __m512 lo = _mm512_set1_ps(ep->lo), hi = _mm512_set1_ps(ep->hi), zero = _mm512_setzero_ps();
    const int act = ep->act;
    for (int j = 0; j < n; j++) {
        size_t base = (size_t)j * S * C;
        if (S == 2) {
            a1 = _mm512_loadu_ps(r0 + base + C); b1 = _mm512_loadu_ps(r1 + base + C); c1 = _mm512_loadu_ps(r2 + base + C);
        }
        size_t off = base + 2 * (size_t)C;
        __m512 a2 = _mm512_loadu_ps(r0 + off), b2 = _mm512_loadu_ps(r1 + off), c2 = _mm512_loadu_ps(r2 + off);
        __m512 s = _mm512_fmadd_ps(a0, w0, bias);
        __m512 t = _mm512_mul_ps(a1, w1);
        s = _mm512_fmadd_ps(a2, w2, s);
        t = _mm512_fmadd_ps(b0, w4, t);
        s = _mm512_fmadd_ps(b1, w5, s);
        t = _mm512_fmadd_ps(b2, w6, t);
        s = _mm512_fmadd_ps(c0, w7, s);
        t = _mm512_fmadd_ps(c1, w8, t);
        s = _mm512_fmadd_ps(c2, w9, s);
        s = _mm512_add_ps(s, t);
        if (res) s = _mm512_add_ps(s, _mm512_loadu_ps(res + (size_t)j * ldr));
        switch (act) {
        case FG_ACT_RELU: s = _mm512_max_ps(s, zero); break;
        case FG_ACT_CLIP: s = _mm512_min_ps(_mm512_max_ps(s, lo), hi); break;
        case FG_ACT_PRELU: s = _mm512_mask_mul_ps(s, _mm512_cmp_ps_mask(s, zero, _CMP_LT_OQ), s, slopes); break;
        case FG_ACT_SIGMOID: s = sigmoid16(s); break;
        default: break;
        }
        _mm512_storeu_ps(out + (size_t)j * C, s);
        if (S == 1) { a0 = a1; a1 = a2; b0 = b1; b1 = b2; c0 = c1; c1 = c2; } else { a0 = a2; b0 = b2; c0 = c2; }
    }
}

FG_AVX512 static void dw3_s1_run(const float *x0, size_t rowStride, int C, const __m512 *w3, float *out, const float *res,
                                 int ldr, int n, int c, const fg_epilogue *ep) {
    dw3_run(1, x0, rowStride, C, w3, out, res, ldr, n, c, ep);
}

FG_AVX512 static void dw3_s2_run(const float *x0, size_t rowStride, int C, const __m512 *w3, float *out, const float *res,
                                 int ldr, int n, int c, const fg_epilogue *ep) {
    dw3_run(2, x0, rowStride, C, w3, out, res, ldr, n, c, ep);
}

FG_AVX512 static void depthwise_avx512(const float *x, int H, int W, int C, const float *w, int kh, int kw, int sy,
                                       int sx, int pt, int pl, float *y, int OH, int OW, const fg_epilogue *ep) {
    const int is3 = kh == 3 && kw == 3;
    // Output rows outermost, then 16-channel blocks: the kh input rows one output row reads stay
    // in L1/L2 across the channel blocks (block-outermost re-streamed the whole map per block).
    for (int oy = 0; oy < OH; oy++) {
        int iy0 = oy * sy - pt;
        int ky0 = iy0 < 0 ? -iy0 : 0;
        int ky1 = H - iy0 < kh ? H - iy0 : kh;
        for (int c = 0; c < C; c += 16) {
            __mmask16 m = C - c >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (C - c)) - 1);
            __m512 w3[9];
            if (is3) for (int k = 0; k < 9; k++) w3[k] = _mm512_maskz_loadu_ps(m, w + (size_t)k * C + c);
            for (int ox = 0; ox < OW; ox++) {
                int ix0 = ox * sx - pl;
                if (is3 && (sx == 1 || sx == 2) && m == 0xFFFF && ky0 == 0 && ky1 == 3 && ix0 >= 0 && ox + 2 <= OW) {
                    // The interior run of this row: every output whose 3 input columns exist
                    // (ox * sx - pl + 2 < W).
                    int last = (W - 3 + pl) / sx;
                    int end = last + 1 < OW ? last + 1 : OW;
                    if (end - ox >= 2) {
                        const float *x0 = x + ((size_t)iy0 * W + ix0) * C + c;
                        float *o = y + ((size_t)oy * OW + ox) * C + c;
                        const float *r = ep->residual ? ep->residual + ((size_t)oy * OW + ox) * ep->ld_residual + c : NULL;
                        if (sx == 1) dw3_s1_run(x0, (size_t)W * C, C, w3, o, r, ep->ld_residual, end - ox, c, ep);
                        else dw3_s2_run(x0, (size_t)W * C, C, w3, o, r, ep->ld_residual, end - ox, c, ep);
                        ox = end - 1;
                        continue;
                    }
                }
                if (is3 && (sx == 1 || sx == 2) && ky0 == 0 && ky1 == 3 && ix0 >= 0 && ox + 4 <= OW &&
                    ix0 + 3 * sx + 3 <= W) {
                    __m512 a[4];
                    const float *x0 = x + ((size_t)iy0 * W + ix0) * C + c;
                    if (sx == 1) dw4_s1(x0, (size_t)W * C, C, w3, m, a); else dw4_s2(x0, (size_t)W * C, C, w3, m, a);
                    for (int j = 0; j < 4; j++) {
                        size_t op = (size_t)oy * OW + ox + j;
                        const float *rj = ep->residual ? ep->residual + op * ep->ld_residual : NULL;
                        _mm512_mask_storeu_ps(y + op * C + c, m, ep16m(a[j], c, m, rj, ep));
                    }
                    ox += 3;
                    continue;
                }
                size_t opos = (size_t)oy * OW + ox;
                const float *res = ep->residual ? ep->residual + opos * ep->ld_residual : NULL;
                __m512 acc = _mm512_setzero_ps();
                if (is3 && ky0 == 0 && ky1 == 3 && ix0 >= 0 && ix0 + 3 <= W) {
                    const float *r0 = x + ((size_t)iy0 * W + ix0) * C + c;
                    const float *r1 = r0 + (size_t)W * C, *r2 = r1 + (size_t)W * C;
                    acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, r0), w3[0], acc);
                    acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, r0 + C), w3[1], acc);
                    acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, r0 + 2 * C), w3[2], acc);
                    acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, r1), w3[3], acc);
                    acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, r1 + C), w3[4], acc);
                    acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, r1 + 2 * C), w3[5], acc);
                    acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, r2), w3[6], acc);
                    acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, r2 + C), w3[7], acc);
                    acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, r2 + 2 * C), w3[8], acc);
                } else {
                    int kx0 = ix0 < 0 ? -ix0 : 0;
                    int kx1 = W - ix0 < kw ? W - ix0 : kw;
                    for (int ky = ky0; ky < ky1; ky++) {
                        const float *in = x + ((size_t)(iy0 + ky) * W + ix0) * C + c;
                        const float *wk = w + (size_t)ky * kw * C + c;
                        for (int kx = kx0; kx < kx1; kx++)
                            acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, in + (size_t)kx * C),
                                                  _mm512_maskz_loadu_ps(m, wk + (size_t)kx * C), acc);
                    }
                }
                _mm512_mask_storeu_ps(y + opos * C + c, m, ep16m(acc, c, m, res, ep));
            }
        }
    }
}
#endif

void fg_depthwise(const float *x, int H, int W, int C, const float *w, int kh, int kw, int sy, int sx, int pt, int pl,
                  float *y, int OH, int OW, const fg_epilogue *ep) {
#if FG_X86
    if (use_avx512(ep)) { depthwise_avx512(x, H, W, C, w, kh, kw, sy, sx, pt, pl, y, OH, OW, ep); return; }
    if (use_avx2(ep)) { depthwise_avx2(x, H, W, C, w, kh, kw, sy, sx, pt, pl, y, OH, OW, ep); return; }
#endif
    depthwise_scalar(x, H, W, C, w, kh, kw, sy, sx, pt, pl, y, OH, OW, ep);
}

// ---------------------------------------------------------------------------------------------
// im2col, pooling and elementwise helpers (memory bound: plain C, auto-vectorised).

void fg_im2col(const float *x, int H, int W, int C, int c0, int cg, int kh, int kw, int sy, int sx, int pt, int pl,
               int OH, int OW, float *col) {
    size_t K = (size_t)kh * kw * cg;
    for (int oy = 0; oy < OH; oy++) {
        for (int ox = 0; ox < OW; ox++) {
            float *dst = col + ((size_t)oy * OW + ox) * K;
            for (int ky = 0; ky < kh; ky++) {
                int iy = oy * sy - pt + ky;
                for (int kx = 0; kx < kw; kx++) {
                    int ix = ox * sx - pl + kx;
                    float *d = dst + ((size_t)ky * kw + kx) * cg;
                    const int inside = iy >= 0 && iy < H && ix >= 0 && ix < W;
                    if (cg <= 8) {  // stems (3 channels): a call per pixel costs more than the copy
                        if (inside) {
                            const float *src = x + ((size_t)iy * W + ix) * C + c0;
                            for (int i = 0; i < cg; i++) d[i] = src[i];
                        } else {
                            for (int i = 0; i < cg; i++) d[i] = 0.0f;
                        }
                    } else if (!inside) {
                        memset(d, 0, sizeof(float) * (size_t)cg);
                    } else {
                        memcpy(d, x + ((size_t)iy * W + ix) * C + c0, sizeof(float) * (size_t)cg);
                    }
                }
            }
        }
    }
}

// Pooling: one portable body, compiled again for AVX2 and AVX-512 (the channel loops
// auto-vectorise to the wider registers).
static inline __attribute__((always_inline)) void pool_body(const float *x, int H, int W, int C, int kh, int kw, int sy,
                                                            int sx, int pt, int pl, int pb, int pr, int is_max,
                                                            int count_pad, float *y, int OH, int OW) {
    for (int oy = 0; oy < OH; oy++) {
        for (int ox = 0; ox < OW; ox++) {
            float *out = y + ((size_t)oy * OW + ox) * C;
            int count = 0, padded = 0;
            for (int c = 0; c < C; c++) out[c] = is_max ? -INFINITY : 0.0f;
            for (int ky = 0; ky < kh; ky++) {
                int iy = oy * sy - pt + ky;
                for (int kx = 0; kx < kw; kx++) {
                    int ix = ox * sx - pl + kx;
                    if (iy >= -pt && iy < H + pb && ix >= -pl && ix < W + pr) padded++;
                    if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                    count++;
                    const float *in = x + ((size_t)iy * W + ix) * C;
                    if (is_max) {
                        for (int c = 0; c < C; c++) out[c] = in[c] > out[c] ? in[c] : out[c];
                    } else {
                        for (int c = 0; c < C; c++) out[c] += in[c];
                    }
                }
            }
            if (!is_max) {
                int d = count_pad ? padded : count;
                float inv = d > 0 ? 1.0f / (float)d : 0.0f;
                for (int c = 0; c < C; c++) out[c] *= inv;
            }
        }
    }
}

static void pool_scalar(const float *x, int H, int W, int C, int kh, int kw, int sy, int sx, int pt, int pl, int pb,
                        int pr, int is_max, int count_pad, float *y, int OH, int OW) {
    pool_body(x, H, W, C, kh, kw, sy, sx, pt, pl, pb, pr, is_max, count_pad, y, OH, OW);
}

#if FG_X86
FG_AVX2 static void pool_avx2(const float *x, int H, int W, int C, int kh, int kw, int sy, int sx, int pt, int pl, int pb,
                              int pr, int is_max, int count_pad, float *y, int OH, int OW) {
    pool_body(x, H, W, C, kh, kw, sy, sx, pt, pl, pb, pr, is_max, count_pad, y, OH, OW);
}

FG_AVX512 static void pool_avx512(const float *x, int H, int W, int C, int kh, int kw, int sy, int sx, int pt, int pl,
                                  int pb, int pr, int is_max, int count_pad, float *y, int OH, int OW) {
    pool_body(x, H, W, C, kh, kw, sy, sx, pt, pl, pb, pr, is_max, count_pad, y, OH, OW);
}
#endif

void fg_pool(const float *x, int H, int W, int C, int kh, int kw, int sy, int sx, int pt, int pl, int pb, int pr,
             int is_max, int count_pad, float *y, int OH, int OW, int isa) {
#if FG_X86
    fg_epilogue level = {0};
    level.isa = isa;
    if (use_avx512(&level)) { pool_avx512(x, H, W, C, kh, kw, sy, sx, pt, pl, pb, pr, is_max, count_pad, y, OH, OW); return; }
    if (use_avx2(&level)) { pool_avx2(x, H, W, C, kh, kw, sy, sx, pt, pl, pb, pr, is_max, count_pad, y, OH, OW); return; }
#endif
    pool_scalar(x, H, W, C, kh, kw, sy, sx, pt, pl, pb, pr, is_max, count_pad, y, OH, OW);
}

void fg_affine(const float *x, int P, int C, const float *scale, const float *bias, const fg_epilogue *ep, float *y) {
    for (int p = 0; p < P; p++) {
        const float *in = x + (size_t)p * C;
        float *out = y + (size_t)p * C;
        for (int c = 0; c < C; c++) out[c] = in[c] * scale[c] + bias[c];
    }
    if (ep) fg_apply_epilogue(y, P, C, C, ep);
}

void fg_global_avg(const float *x, int P, int C, float *y) {
    for (int c = 0; c < C; c++) y[c] = 0;
    for (int p = 0; p < P; p++) {
        const float *in = x + (size_t)p * C;
        for (int c = 0; c < C; c++) y[c] += in[c];
    }
    float inv = 1.0f / (float)P;
    for (int c = 0; c < C; c++) y[c] *= inv;
}

void fg_binary(const float *a, const float *b, int P, int C, int b_positions, int is_mul, float *y) {
    for (int p = 0; p < P; p++) {
        const float *pa = a + (size_t)p * C;
        const float *pb = b + (b_positions == 1 ? 0 : (size_t)p * C);
        float *out = y + (size_t)p * C;
        if (is_mul) {
            for (int c = 0; c < C; c++) out[c] = pa[c] * pb[c];
        } else {
            for (int c = 0; c < C; c++) out[c] = pa[c] + pb[c];
        }
    }
}

