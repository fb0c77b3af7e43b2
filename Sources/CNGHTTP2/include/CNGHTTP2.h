// CNGHTTP2: the thin C shim over libnghttp2 1.52 used by GRPCHTTP2Server.
#pragma once
#include <nghttp2/nghttp2.h>
