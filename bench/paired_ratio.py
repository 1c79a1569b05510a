"""Paired ratio of two timed series run back to back (line i of each file is one pair).

Prints the ratio of the medians, the median of the per-pair ratios (host drift between pairs
cancels out), and a bootstrap 95 % interval for the latter, so a reader can see whether a
target is met beyond the run-to-run noise.
Usage: paired_ratio.py STAGE_TIMES BASE_TIMES TARGET
"""

import random
import statistics
import sys


def main() -> None:
    stage = [float(x) for x in open(sys.argv[1]) if x.strip()]
    base = [float(x) for x in open(sys.argv[2]) if x.strip()]
    target = float(sys.argv[3])
    if len(stage) != len(base) or not stage:
        sys.exit(f"paired_ratio: {len(stage)} and {len(base)} times: expected equal, non-zero counts")
    ratios = [s / b for s, b in zip(stage, base)]
    median_ratio = statistics.median(ratios)
    rng = random.Random(20261202)  # a fixed seed: the same runs always give the same interval
    resampled = sorted(
        statistics.median(rng.choices(ratios, k=len(ratios))) for _ in range(2000)
    )
    low, high = resampled[int(0.025 * len(resampled))], resampled[int(0.975 * len(resampled)) - 1]
    verdict = "met" if high <= target else ("not met" if low > target else "not shown either way")
    print(
        f"ratio of medians {statistics.median(stage) / statistics.median(base):.3f}; "
        f"median of {len(ratios)} paired ratios {median_ratio:.3f} "
        f"(95 % interval {low:.3f}-{high:.3f}; target <= {target:.2f}: {verdict})"
    )


if __name__ == "__main__":
    main()
