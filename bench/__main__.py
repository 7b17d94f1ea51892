import os

from bench import assessment, crowd, load, queue, scale

assessment.report()
load.report(load.run())
# PostgreSQL figures when a database is named: the load bench empties and refills it; the scale
# bench fills its 10k and 1M databases once (bulk COPY) and reuses them on later runs.
if postgres := os.environ.get("HARBOUR_BENCH_POSTGRES_URL"):
    load.report(load.run(postgres), "PostgreSQL")
if (small := os.environ.get("HARBOUR_BENCH_SCALE_10K_URL")) and (
    large := os.environ.get("HARBOUR_BENCH_SCALE_1M_URL")
):
    scale.generate(small, 10_000)
    scale.generate(large, 1_000_000)
    scale.report(*scale.measure(small, large), ("10k", "1M"))
queue.report(queue.run())
crowd.report(crowd.run())
