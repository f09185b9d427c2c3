#!/usr/bin/env python3
"""peers_extra.py -- the shared peer harness (../shared/bench/peers.py) with doe's extra problems added.

doe's benchmark adds problems the harness does not have (levy8_noisy: levy8 with N(0, 1) observation noise).
This wrapper registers them in the harness's own PROBLEMS table, with the harness's own Problem class and
functions, then runs the harness unchanged:

  peers_extra.py --harness ../shared/bench [peers.py arguments...]
"""
import sys


def main():
    args = sys.argv[1:]
    if len(args) < 2 or args[0] != "--harness":
        raise SystemExit("usage: peers_extra.py --harness DIR [peers.py arguments]")
    harness, rest = args[1], args[2:]
    sys.path.insert(0, harness)
    import problems  # the harness's problems.py
    import peers

    box = problems._box(-10.0, 10.0, 8)
    problems.PROBLEMS["levy8_noisy"] = problems.Problem("levy8_noisy", problems.levy, *box, 0.0, noise_sd=1.0,
                                                        xstar=[1.0] * 8)
    peers.main(rest)


if __name__ == "__main__":
    main()
