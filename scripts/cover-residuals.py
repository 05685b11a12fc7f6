#!/usr/bin/env python3
# Residuals of spec section 14.5 (what still tells cover records from real ones), by simulation: 300 venues in 1024 buckets (uniform, as the hash),
# n real and n cover records; the best classifier learns per-feature majority on half, scored
# on the other half. Seeds fixed.
import random, math
def run(seed, zipf, feature, n=20000):
    r = random.Random(seed)
    buckets = [r.randrange(1024) for _ in range(300)]
    w = [1/(i+1)**zipf for i in range(300)]
    counts = {}
    for b in buckets: counts[b] = counts.get(b,0)+1
    cb = list(counts); cw = [counts[b] for b in cb]
    recs = []
    for _ in range(n):
        v = r.choices(range(300), w)[0]
        # visit ends 12:00-24:00, record leaves 0-1 h later plus a slot wait (exp, mean 1 h)
        end = r.uniform(12, 24); t = (end + r.random() + r.expovariate(1)) % 24
        recs.append(((buckets[v], int(t)), 1))
        recs.append(((r.choices(cb, cw)[0], int(r.uniform(0, 24))), 0))
    r.shuffle(recs)
    key = (lambda f: f[0]) if feature == "bucket" else (lambda f: f[1])
    votes = {}
    for f, y in recs[::2]:
        k = key(f); v = votes.setdefault(k, [0,0]); v[y] += 1
    right = sum(1 for f, y in recs[1::2] if (lambda v: (v[1] > v[0]) if v and v[0]!=v[1] else 0)(votes.get(key(f))) == y)
    return right / len(recs[1::2])
for zipf in (0, 0.5, 1.0):
    print("bucket, zipf", zipf, round(run(1, zipf, "bucket"), 3))
print("hour of arrival", round(run(1, 0, "hour"), 3))
