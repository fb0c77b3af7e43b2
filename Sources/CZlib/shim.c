// Forwarders for zlib macros (see include/CZlib.h).
#include "CZlib.h"

int czlib_inflate_init_gzip(z_stream *stream) {
    // 15 window bits + 16: gzip wrapper only (what grpc-encoding: gzip means).
    return inflateInit2(stream, 15 + 16);
}

int czlib_deflate_init_gzip(z_stream *stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
