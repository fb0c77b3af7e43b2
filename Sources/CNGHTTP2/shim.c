// Forwarders and callback trampolines over libnghttp2 live here (see include/CNGHTTP2.h).
#include "CNGHTTP2.h"
