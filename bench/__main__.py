from bench import assessment, load, queue

assessment.report()
load.report(load.run())
queue.report(queue.run())
