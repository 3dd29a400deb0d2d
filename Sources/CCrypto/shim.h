#ifndef FUNCTIONS_CCRYPTO_SHIM_H
#define FUNCTIONS_CCRYPTO_SHIM_H
#include <openssl/evp.h>
#endif
