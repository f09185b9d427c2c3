import CBLAS
import Foundation

/// The number of threads OpenBLAS uses.
///
/// On a small shared machine, OpenBLAS's spinning worker threads make the small and medium matrices of a GP
/// slower, not faster (measured: `doe suggest` after 200 observations took 1.2 s with 2 threads, 0.28 s with 1).
/// The CLI therefore uses one thread unless `DOE_BLAS_THREADS` says otherwise.
public enum BLASThreads {
    /// Sets the thread count for subsequent BLAS/LAPACK calls.
    public static func set(_ count: Int) {
        openblas_set_num_threads(Int32(max(count, 1)))
    }

    /// Applies `DOE_BLAS_THREADS` (default `fallback`, 1 unless a command asks for more), unless
    /// `OPENBLAS_NUM_THREADS` is set explicitly.
    public static func configureFromEnvironment(fallback: Int = 1) {
        let env = ProcessInfo.processInfo.environment
        if let explicit = env["DOE_BLAS_THREADS"].flatMap(Int.init) {
            set(explicit)
        } else if env["OPENBLAS_NUM_THREADS"] == nil {
            set(fallback)
        }
    }
}
