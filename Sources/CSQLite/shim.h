// CSQLite: the system SQLite 3 (Debian libsqlite3-dev), imported as-is for GalleryStore.
#ifndef FACEGATE_CSQLITE_SHIM_H
#define FACEGATE_CSQLITE_SHIM_H
#include <sqlite3.h>

// SQLITE_TRANSIENT is a cast of -1 to a function pointer, which Swift cannot import as a macro.
static inline sqlite3_destructor_type fg_sqlite_transient(void) { return SQLITE_TRANSIENT; }
#endif
