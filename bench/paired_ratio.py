"""Paired ratio of two timed series run back to back (line i of each file is one pair).

The headline is the 10 %-trimmed geometric mean of the per-pair ratios, with a bootstrap 95 %
interval: pairing cancels the host's drift between pairs, the log keeps a ratio and its inverse
symmetric, and trimming drops the few runs a noisy neighbour stretched. On this project's 2-core
host one pair's ratio scatters by about 12 %, so the interval, not the point, says whether a
target is met. The ratio of the medians and the median of the ratios are printed too.
Usage: paired_ratio.py STAGE_TIMES BASE_TIMES TARGET
"""

import math
import random
import statistics
import sys

TRIM = 0.10


def trimmed_mean(values: list[float]) -> float:
    ordered = sorted(values)
    cut = int(len(ordered) * TRIM)
    return statistics.fmean(ordered[cut:len(ordered) - cut])


def main() -> None:
    stage = [float(x) for x in open(sys.argv[1]) if x.strip()]
    base = [float(x) for x in open(sys.argv[2]) if x.strip()]
    target = float(sys.argv[3])
    if len(stage) != len(base) or not stage or min(stage + base) <= 0:
        sys.exit(f"paired_ratio: {len(stage)} and {len(base)} times: expected equal, non-zero counts of positive times")
    ratios = [s / b for s, b in zip(stage, base)]
    logs = [math.log(r) for r in ratios]
    rng = random.Random(20261202)  # a fixed seed: the same runs always give the same interval
    resampled = sorted(trimmed_mean(rng.choices(logs, k=len(logs))) for _ in range(2000))
    low, high = math.exp(resampled[50]), math.exp(resampled[1949])
    verdict = "met" if high <= target else ("not met" if low > target else "not shown either way")
    print(
        f"paired ratio {math.exp(trimmed_mean(logs)):.3f} over {len(ratios)} pairs "
        f"(95 % interval {low:.3f}-{high:.3f}; target <= {target:.2f}: {verdict}); "
        f"ratio of medians {statistics.median(stage) / statistics.median(base):.3f}, "
        f"median of ratios {statistics.median(ratios):.3f}"
    )


if __name__ == "__main__":
    main()
