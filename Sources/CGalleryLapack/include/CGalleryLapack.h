// LAPACK's symmetric eigen-solver for the gallery index's PCA fit (GalleryIndex owns this shim).
#ifndef C_GALLERY_LAPACK_H
#define C_GALLERY_LAPACK_H

/// Eigen-decomposition of the symmetric n x n matrix `a` (row-major, both triangles filled) by
/// LAPACK dsyevd (divide and conquer, OpenBLAS). On success returns 0, writes the eigenvalues in
/// ascending order to `values` and overwrites `a` so that row i is the unit eigenvector of
/// `values[i]`. Returns the LAPACK `info` (< 0: bad argument, > 0: no convergence) or -1000 when
/// workspace allocation fails. Sets OpenBLAS to one thread (process-wide, as the engine does).
int fg_lapack_symmetric_eigen(int n, double *a, double *values);

#endif
