#ifndef DOE_SUPPORT_H
#define DOE_SUPPORT_H

/// Keeps large allocations (the n × n matrices of GP fits) on glibc's reusable heap instead of fresh
/// mmaps that page-fault on first touch. Returns 1 when both settings were applied, 0 elsewhere.
int doe_configure_allocator(void);


/// One AdamW step over n parameters (Loshchilov & Hutter 2019), written in C so the compiler emits packed
/// square roots and divisions (Swift's SIMD types lowered them lane by lane):
///   m ← b1·m + (1−b1)·g;  v ← b2·v + (1−b2)·g²;  w ← w − lr·((m/c1)/(√(v/c2) + eps) + decay·w)
void doe_adamw_step(float *w, const float *g, float *m, float *v, long n,
                    float b1, float b2, float lr, float eps, float c1, float c2, float decay);

#endif
