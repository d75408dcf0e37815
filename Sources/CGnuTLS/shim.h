#ifndef JOBPREP_CGNUTLS_SHIM_H
#define JOBPREP_CGNUTLS_SHIM_H
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#endif
