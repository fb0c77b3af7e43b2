#include "CGalleryLapack.h"

#include <stdlib.h>

// Fortran LAPACK entry point exported by Debian's libopenblas (no LAPACKE header needed).
extern void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
                    double *work, const int *lwork, int *iwork, const int *liwork, int *info);
extern void openblas_set_num_threads(int n);

int fg_lapack_symmetric_eigen(int n, double *a, double *values) {
    // Row-major symmetric input = column-major symmetric input; LAPACK returns eigenvectors as
    // columns (column-major), which read row-major are rows: exactly the layout promised.
    // One thread, the policy the engine also sets (Embedder pins OpenBLAS to 1): the fit runs in
    // the background beside one-core-per-query searches, and OpenBLAS's spinning worker threads
    // made dsyevd 25x slower on a busy 2-core machine (d = 512: 3.3 s vs 0.12 s).
    openblas_set_num_threads(1);
    const char jobz = 'V', uplo = 'U';
    int info = 0, lwork = -1, liwork = -1, iwork_query = 0;
    double work_query = 0;
    dsyevd_(&jobz, &uplo, &n, a, &n, values, &work_query, &lwork, &iwork_query, &liwork, &info);
    if (info != 0) return info;
    lwork = (int)work_query;
    liwork = iwork_query;
    double *work = malloc(sizeof(double) * (size_t)(lwork > 1 ? lwork : 1));
    int *iwork = malloc(sizeof(int) * (size_t)(liwork > 1 ? liwork : 1));
    if (work == NULL || iwork == NULL) {
        free(work);
        free(iwork);
        return -1000;
    }
    dsyevd_(&jobz, &uplo, &n, a, &n, values, work, &lwork, iwork, &liwork, &info);
    free(work);
    free(iwork);
    return info;
}
