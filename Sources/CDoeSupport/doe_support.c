#include "doe_support.h"
#include <stdlib.h>  /* defines __GLIBC__ on glibc systems */

#if defined(__GLIBC__)
#include <malloc.h>

int doe_configure_allocator(void) {
    int a = mallopt(M_MMAP_THRESHOLD, 256 << 20);
    int b = mallopt(M_TRIM_THRESHOLD, 512 << 20);
    return a == 1 && b == 1;
}
#else
int doe_configure_allocator(void) { return 0; }
#endif
