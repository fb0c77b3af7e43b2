// CZlib: the thin C shim over zlib used by GRPCHTTP2Server for grpc-encoding gzip.
#pragma once
#include <zlib.h>

// inflateInit2/deflateInit2 are macros (they pass sizeof(z_stream)); Swift cannot call macros.
int czlib_inflate_init_gzip(z_stream *stream);
// Same reason as above; level is zlib's 0-9 (or Z_DEFAULT_COMPRESSION).
int czlib_deflate_init_gzip(z_stream *stream, int level);
