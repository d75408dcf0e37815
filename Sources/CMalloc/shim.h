#ifndef JOBPREP_CMALLOC_SHIM_H
#define JOBPREP_CMALLOC_SHIM_H
#include <malloc.h>
#endif
