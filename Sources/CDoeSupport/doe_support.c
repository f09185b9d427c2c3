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

#include <math.h>
#if defined(__SSE__)
#include <immintrin.h>
#endif

void doe_adamw_step(float *restrict w, const float *restrict g, float *restrict m, float *restrict v, long n,
                    float b1, float b2, float lr, float eps, float c1, float c2, float decay) {
    const float inv_c1 = 1.0f / c1, inv_c2 = 1.0f / c2;
    long i = 0;
#if defined(__SSE__)
    /* sqrtf keeps errno semantics, which stops the compiler from vectorizing: packed SSE by hand (x86-64 baseline) */
    const __m128 vb1 = _mm_set1_ps(b1), vb1c = _mm_set1_ps(1.0f - b1), vb2 = _mm_set1_ps(b2), vb2c = _mm_set1_ps(1.0f - b2);
    const __m128 vlr = _mm_set1_ps(lr), veps = _mm_set1_ps(eps), vic1 = _mm_set1_ps(inv_c1), vic2 = _mm_set1_ps(inv_c2);
    const __m128 vdecay = _mm_set1_ps(decay);
    for (; i + 4 <= n; i += 4) {
        __m128 gi = _mm_loadu_ps(g + i);
        __m128 mi = _mm_add_ps(_mm_mul_ps(vb1, _mm_loadu_ps(m + i)), _mm_mul_ps(vb1c, gi));
        __m128 vi = _mm_add_ps(_mm_mul_ps(vb2, _mm_loadu_ps(v + i)), _mm_mul_ps(vb2c, _mm_mul_ps(gi, gi)));
        _mm_storeu_ps(m + i, mi);
        _mm_storeu_ps(v + i, vi);
        __m128 wi = _mm_loadu_ps(w + i);
        __m128 step = _mm_div_ps(_mm_mul_ps(mi, vic1), _mm_add_ps(_mm_sqrt_ps(_mm_mul_ps(vi, vic2)), veps));
        _mm_storeu_ps(w + i, _mm_sub_ps(wi, _mm_mul_ps(vlr, _mm_add_ps(step, _mm_mul_ps(vdecay, wi)))));
    }
#endif
    for (; i < n; i++) {
        float mi = b1 * m[i] + (1.0f - b1) * g[i];
        float vi = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
        m[i] = mi;
        v[i] = vi;
        w[i] -= lr * ((mi * inv_c1) / (sqrtf(vi * inv_c2) + eps) + decay * w[i]);
    }
}
