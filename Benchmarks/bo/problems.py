"""Benchmark problems for `make bench-bo` (minimization, inputs on the unit cube).

Pure Python, so the benchmark runs with nothing but python3 and the doe binary. Each problem maps
u in [0,1]^d linearly to its standard domain. Regret is measured on the noiseless value.

  branin          d=2   x1 in [-5,10], x2 in [0,15]      f* = 0.397887357729739
  hartmann6       d=6   [0,1]^6                          f* = -3.322368011391339
  ackley10        d=10  [-5,10]^10                       f* = 0
  rosenbrock5     d=5   [-5,10]^5                        f* = 0
  levy8           d=8   [-10,10]^8                       f* = 0
  styblinski6     d=6   [-5,5]^6                         f* = -39.16616570377142 * 6
  hartmann6_noisy d=6   hartmann6 + N(0, 0.1^2) observation noise
  levy8_noisy     d=8   levy8 + N(0, 1) observation noise (doe's own noisy variant; the peers get it through
                        Benchmarks/bo/peers_extra.py)
"""
import math

H6_ALPHA = [1.0, 1.2, 3.0, 3.2]
H6_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
H6_P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]


def branin(x):
    x1, x2 = x
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


def hartmann6(x):
    return -sum(a * math.exp(-sum(A[j] * (x[j] - P[j] * 1e-4) ** 2 for j in range(6)))
                for a, A, P in zip(H6_ALPHA, H6_A, H6_P))


def ackley(x):
    d = len(x)
    return (-20 * math.exp(-0.2 * math.sqrt(sum(v * v for v in x) / d))
            - math.exp(sum(math.cos(2 * math.pi * v) for v in x) / d) + 20 + math.e)


def rosenbrock(x):
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(len(x) - 1))


def levy(x):
    w = [1 + (v - 1) / 4 for v in x]
    s = math.sin(math.pi * w[0]) ** 2
    s += sum((wi - 1) ** 2 * (1 + 10 * math.sin(math.pi * wi + 1) ** 2) for wi in w[:-1])
    return s + (w[-1] - 1) ** 2 * (1 + math.sin(2 * math.pi * w[-1]) ** 2)


def styblinski(x):
    return 0.5 * sum(v ** 4 - 16 * v * v + 5 * v for v in x)


class Problem:
    def __init__(self, name, dim, bounds, fn, fstar, noise=0.0):
        self.name, self.dim, self.bounds, self.fn, self.fstar, self.noise = name, dim, bounds, fn, fstar, noise

    def scale(self, u):
        return [lo + ui * (hi - lo) for ui, (lo, hi) in zip(u, self.bounds)]

    def true(self, u):
        return self.fn(self.scale(u))

    def observe(self, u, rng):
        return self.true(u) + (rng.gauss(0, self.noise) if self.noise else 0.0)


PROBLEMS = {p.name: p for p in [
    Problem("branin", 2, [(-5, 10), (0, 15)], branin, 0.397887357729739),
    Problem("hartmann6", 6, [(0, 1)] * 6, hartmann6, -3.322368011391339),
    Problem("ackley10", 10, [(-5, 10)] * 10, ackley, 0.0),
    Problem("rosenbrock5", 5, [(-5, 10)] * 5, rosenbrock, 0.0),
    Problem("levy8", 8, [(-10, 10)] * 8, levy, 0.0),
    Problem("styblinski6", 6, [(-5, 5)] * 6, styblinski, -39.16616570377142 * 6),
    Problem("hartmann6_noisy", 6, [(0, 1)] * 6, hartmann6, -3.322368011391339, noise=0.1),
    Problem("levy8_noisy", 8, [(-10, 10)] * 8, levy, 0.0, noise=1.0),
]}

# Known minimizers in unit-cube coordinates, to check f(x*) = f*.
OPTIMA = {
    "branin": [(math.pi + 5) / 15, 2.275 / 15],
    "hartmann6": [0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573],
    "ackley10": [1 / 3] * 10,
    "rosenbrock5": [6 / 15] * 5,
    "levy8": [11 / 20] * 8,
    "styblinski6": [(-2.903534 + 5) / 10] * 6,
}

if __name__ == "__main__":
    for name, u in OPTIMA.items():
        p = PROBLEMS[name]
        value = p.true(u)
        print(f"{name:12s} f(x*) = {value:.9g}  f* = {p.fstar:.9g}")
        assert abs(value - p.fstar) < 1e-4, name
