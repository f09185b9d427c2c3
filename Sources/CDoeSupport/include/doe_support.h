#ifndef DOE_SUPPORT_H
#define DOE_SUPPORT_H

/// Keeps large allocations (the n × n matrices of GP fits) on glibc's reusable heap instead of fresh
/// mmaps that page-fault on first touch. Returns 1 when both settings were applied, 0 elsewhere.
int doe_configure_allocator(void);

#endif
