#ifndef HEALTHRUN_CLIBPQ_SHIM_H
#define HEALTHRUN_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
