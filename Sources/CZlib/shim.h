#ifndef FUNCTIONS_CZLIB_SHIM_H
#define FUNCTIONS_CZLIB_SHIM_H
#include <zlib.h>
#endif
