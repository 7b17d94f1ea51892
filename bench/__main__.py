from bench import load, queue

load.report(load.run())
queue.report(queue.run())
