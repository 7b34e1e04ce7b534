#ifndef HEALTHRUN_CLIBPQ_SHIM_H
#define HEALTHRUN_CLIBPQ_SHIM_H
// libpq's types and constants only: its functions are looked up with dlopen on first use
// (HealthrunPostgres/LibPQ.swift), so the binary does not link libpq. Debian keeps the header in
// /usr/include/postgresql; other systems in the include path itself.
#if __has_include(<postgresql/libpq-fe.h>)
#include <postgresql/libpq-fe.h>
#else
#include <libpq-fe.h>
#endif
#endif
