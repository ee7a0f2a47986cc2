#!/usr/bin/python3
"""The kernel benchmark's two models written for SimPy 3, the peer the Go
kernel is measured against (make bench-kernel runs both in one go).

timers:    N actors, each looping on env.timeout(uniform [0, 1 ms)).
pingpong:  P pairs of actors bouncing a message through two Stores with a
           1 ms hop.

Prints one line per model: "<model> events=<n> seconds=<s> rate=<events/s>".
"""
import random
import sys
import time

import simpy


def timers(actors, events):
    env = simpy.Environment()
    rng = random.Random(1)
    left = [events]

    def actor():
        while left[0] > 0:
            yield env.timeout(rng.random() * 1e-3)
            left[0] -= 1

    for _ in range(actors):
        env.process(actor())
    start = time.perf_counter()
    env.run()
    return events, time.perf_counter() - start


def pingpong(pairs, messages):
    env = simpy.Environment()
    left = [messages]

    def player(inbox, outbox, serve):
        if serve:
            yield env.timeout(1e-3)
            outbox.put(0)
        while left[0] > 0:
            n = yield inbox.get()
            left[0] -= 1
            if left[0] <= 0:
                return
            yield env.timeout(1e-3)
            outbox.put(n + 1)

    for _ in range(pairs):
        a, b = simpy.Store(env), simpy.Store(env)
        env.process(player(a, b, True))
        env.process(player(b, a, False))
    start = time.perf_counter()
    env.run()
    return messages, time.perf_counter() - start


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    for name, fn, arg in (("timers", timers, 1000), ("pingpong", pingpong, 100)):
        events, secs = fn(arg, n)
        print(f"{name} events={events} seconds={secs:.3f} rate={events / secs:.0f}")


if __name__ == "__main__":
    main()
